from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from helpdesk.health import healthz
from helpdesk.jsi18n import js_catalogue


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages that name no icon. The static URL is looked up per
    request, not when the URLconf loads: with collected files it needs the manifest, which a
    process may not have yet (``manage.py check`` before ``collectstatic``)."""
    return HttpResponsePermanentRedirect(static("shared/favicon.svg"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("chat.api.urls")),
    path("", include("chat.urls")),
    path("", include("agents.urls")),
    path("", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/<slug:script>/<slug:language>.json", js_catalogue, name="js-catalogue"),
]
