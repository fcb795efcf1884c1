from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from helpdesk.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/", include("chat.api.urls")),
    path("api/", include("knowledge.api.urls")),
    path("", include("chat.urls")),
    path("", include("agents.urls")),
    path("", include("reports.urls")),
    path("", include("knowledge.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
