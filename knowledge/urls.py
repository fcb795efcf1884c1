from django.urls import path

from knowledge import views

urlpatterns = [
    path("help/", views.help_index, name="help"),
    path("help/<str:locale>/<slug:slug>/", views.help_article, name="help-article"),
    path("help/<str:locale>/<slug:slug>/feedback/", views.help_feedback, name="help-feedback"),
]
