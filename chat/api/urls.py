from django.urls import path

from chat.api import views

urlpatterns = [
    path("conversations/", views.ConversationListView.as_view(), name="api-conversations"),
    path("conversations/<str:public_id>/", views.ConversationDetailView.as_view(), name="api-conversation"),
    path(
        "conversations/<str:public_id>/messages/",
        views.ConversationMessagesView.as_view(),
        name="api-conversation-messages",
    ),
    path("conversations/<str:public_id>/transcript/", views.TranscriptView.as_view(), name="api-transcript"),
    path(
        "conversations/<str:public_id>/transcript.txt",
        views.TranscriptTextView.as_view(),
        name="api-transcript-text",
    ),
    path(
        "widget/<str:inbox_key>/conversations/",
        views.WidgetConversationListView.as_view(),
        name="api-widget-conversations",
    ),
    path(
        "widget/<str:inbox_key>/conversations/<str:public_id>/messages/",
        views.WidgetMessagesView.as_view(),
        name="api-widget-messages",
    ),
]
