"""The scripts' translations: the ``djangojs`` catalogue of one language as JSON.

The console and the widget write their texts in English inside ``gettext("...")`` calls;
``makemessages -d djangojs`` collects them into ``locale/<lang>/LC_MESSAGES/djangojs.po`` beside the
templates' ``django.po``, and the compiled ``.mo`` is committed like ``django.mo``. Only the
project's own ``locale/`` is read, so the admin's script catalogue does not ride along. The widget
fetches this from other origins (any site that embeds it), so the answer allows every origin: it
holds nothing but public translations.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation.trans_real import DjangoTranslation
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe
from django.views.i18n import JSONCatalog

# Translations change only with a deploy; an hour keeps a visitor's page loads off the server.
CATALOGUE_MAX_AGE = 3600


class _Catalogue(JSONCatalog):
    """Django's JSON catalogue, limited to the project's locale/ and to the messages themselves
    (the scripts need no date formats or plural rules: their texts have no plural forms)."""

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        paths = [str(path) for path in settings.LOCALE_PATHS]
        self.translation = DjangoTranslation(translation.get_language(), domain="djangojs", localedirs=paths)
        return JsonResponse({"catalog": self.get_catalog()}, json_dumps_params={"ensure_ascii": False})


_catalogue = _Catalogue.as_view()


@require_safe
@gzip_page
def js_catalogue(request: HttpRequest, language: str) -> HttpResponse:
    """``/jsi18n/<language>.json``: ``{"catalog": {msgid: translation}}`` for a language of LANGUAGES."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise Http404("no such language")
    with translation.override(language):
        response = _catalogue(request)
    response["Content-Language"] = language
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=CATALOGUE_MAX_AGE)
    return response
