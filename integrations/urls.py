from django.urls import path

from integrations import views

urlpatterns = [path("settings/api-tokens/", views.api_tokens, name="api-tokens")]
