from django.urls import path

from chat.api import attachments, views

urlpatterns = [
    path("conversations/", views.ConversationListView.as_view(), name="api-conversations"),
    path("conversations/<str:public_id>/", views.ConversationDetailView.as_view(), name="api-conversation"),
    path(
        "conversations/<str:public_id>/messages/",
        views.ConversationMessagesView.as_view(),
        name="api-conversation-messages",
    ),
    path("conversations/<str:public_id>/transcript/", views.TranscriptView.as_view(), name="api-transcript"),
    path("conversations/<str:public_id>/activity/", views.ActivityView.as_view(), name="api-activity"),
    path("conversations/<str:public_id>/contact/", views.ContactProfileView.as_view(), name="api-contact-profile"),
    path("search/", views.SearchView.as_view(), name="api-search"),
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
    path(
        "widget/<str:inbox_key>/conversations/<str:public_id>/attachments/",
        attachments.WidgetAttachmentUploadView.as_view(),
        name="api-widget-upload",
    ),
    path(
        "widget/<str:inbox_key>/conversations/<str:public_id>/transcript.txt",
        attachments.WidgetTranscriptTextView.as_view(),
        name="api-widget-transcript-text",
    ),
    path(
        "widget/<str:inbox_key>/conversations/<str:public_id>/transcript/email/",
        attachments.WidgetTranscriptEmailView.as_view(),
        name="api-widget-transcript-email",
    ),
    path(
        "widget/<str:inbox_key>/attachments/<str:public_id>/",
        attachments.WidgetAttachmentView.as_view(),
        name="api-widget-attachment",
    ),
    path(
        "conversations/<str:public_id>/attachments/",
        attachments.AgentAttachmentUploadView.as_view(),
        name="api-upload",
    ),
    path("attachments/<str:public_id>/", attachments.AgentAttachmentView.as_view(), name="api-attachment"),
]
