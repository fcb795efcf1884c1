from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from helpdesk.health import healthz
from helpdesk.jsi18n import js_catalogue


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """The icon's (hashed, once collected) static URL, looked up per request, not at import."""
    return HttpResponseRedirect(static("shared/favicon.svg"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on every page that names no icon.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("chat.api.urls")),
    path("api/", include("integrations.api.urls")),
    path("api/", include("knowledge.api.urls")),
    path("api/", include("privacy.urls")),
    path("", include("chat.urls")),
    path("", include("agents.urls")),
    path("", include("reports.urls")),
    path("", include("knowledge.urls")),
    path("", include("integrations.urls")),
    path("", include("assist.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/<slug:script>/<slug:language>.json", js_catalogue, name="js-catalogue"),
]
