from django.urls import path

from agents import views

urlpatterns = [
    path("console/", views.console, name="console"),
]
