from django.urls import path

from knowledge.api import views

urlpatterns = [
    path("articles/", views.ArticleListView.as_view(), name="api-articles"),
    path("articles/<str:public_id>/", views.ArticleDetailView.as_view(), name="api-article"),
    path(
        "conversations/<str:public_id>/article-draft/",
        views.ArticleDraftFromConversationView.as_view(),
        name="api-article-draft",
    ),
    path(
        "widget/<str:inbox_key>/articles/search/",
        views.WidgetArticleSearchView.as_view(),
        name="api-widget-article-search",
    ),
]
