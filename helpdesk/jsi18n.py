"""The scripts' translations: the ``djangojs`` catalogue of one language as JSON.

The console and the widget write their texts in English inside ``gettext("...")`` calls;
``makemessages -d djangojs`` collects them into ``locale/<lang>/LC_MESSAGES/djangojs.po`` beside the
templates' ``django.po``, and the compiled ``.mo`` is committed like ``django.mo``. Only the
project's own ``locale/`` is read, so the admin's script catalogue does not ride along, and each
script gets only its own texts (``/jsi18n/widget/zh-hans.json``): a visitor does not download the
console's words. The widget fetches this from other origins (any site that embeds it), so the
answer allows every origin: it holds nothing but public translations.
"""

from __future__ import annotations

import json
import re
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation.trans_real import DjangoTranslation
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe
from django.views.i18n import JSONCatalog

# Translations change only with a deploy; an hour keeps a visitor's page loads off the server.
CATALOGUE_MAX_AGE = 3600

# Each script's static folders: its texts are those of the gettext calls in their .js files.
SCRIPTS = {"widget": ("widget/", "shared/"), "console": ("console/", "shared/")}
# gettext("...") and gettext_noop("..."): the calls `makemessages -d djangojs` collects.
_CALL = re.compile(r"""\bgettext(?:_noop)?\(\s*("(?:[^"\\]|\\.)*")""")


@cache
def script_texts(script: str) -> frozenset[str]:
    """The msgids the static files of ``script`` write (read once per process)."""
    texts: set[str] = set()
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            if path.endswith(".js") and path.startswith(SCRIPTS[script]):
                with storage.open(path) as file:
                    texts.update(json.loads(literal) for literal in _CALL.findall(file.read().decode()))
    return frozenset(texts)


class _Catalogue(JSONCatalog):
    """Django's JSON catalogue, limited to the project's locale/ and to the messages themselves
    (the scripts need no date formats or plural rules: their texts have no plural forms)."""

    def get(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        paths = [str(path) for path in settings.LOCALE_PATHS]
        self.translation = DjangoTranslation(translation.get_language(), domain="djangojs", localedirs=paths)
        texts = script_texts(kwargs["script"])
        # A text translated as itself needs no entry: gettext() falls back to the msgid.
        catalog = {msgid: text for msgid, text in self.get_catalog().items() if msgid in texts and text != msgid}
        return JsonResponse({"catalog": catalog}, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})


_catalogue = _Catalogue.as_view()


@require_safe
@gzip_page
def js_catalogue(request: HttpRequest, script: str, language: str) -> HttpResponse:
    """``/jsi18n/<script>/<language>.json``: ``{"catalog": {msgid: translation}}`` of one script."""
    if script not in SCRIPTS or language not in {code for code, _name in settings.LANGUAGES}:
        raise Http404("no such catalogue")
    with translation.override(language):
        response = _catalogue(request, script=script)
    response["Content-Language"] = language
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=CATALOGUE_MAX_AGE)
    return response
