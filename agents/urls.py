from django.urls import path

from agents import views

urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/c/<str:public_id>/", views.console, name="console-conversation"),
]
