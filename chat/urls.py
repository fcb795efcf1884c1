from django.urls import path

from chat import views

urlpatterns = [
    path("", views.home, name="home"),
    path("demo/", views.demo, name="demo"),
    path("rate/<str:token>/", views.rate, name="rate"),
    path("chat/<str:token>/", views.chat_link, name="chat-link"),
]
