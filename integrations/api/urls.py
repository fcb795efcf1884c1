from django.urls import path

from integrations.api import bots, contacts, conversations, tokens, webhooks

ACTIONS = {
    "reply": conversations.ReplyView,
    "note": conversations.NoteView,
    "claim": conversations.ClaimView,
    "accept": conversations.AcceptView,
    "assign": conversations.AssignView,
    "transfer": conversations.TransferView,
    "priority": conversations.PriorityView,
    "tags": conversations.TagsView,
    "status": conversations.StatusView,
    "resolve": conversations.ResolveView,
    "reopen": conversations.ReopenView,
    "bot/reply": bots.BotReplyView,
    "bot/handoff": bots.BotHandoffView,
}

urlpatterns = [
    *(
        path(
            f"conversations/<str:public_id>/{action}/",
            view.as_view(),
            name=f"api-conversation-{action.replace('/', '-')}",
        )
        for action, view in ACTIONS.items()
    ),
    path("contacts/", contacts.ContactCreateView.as_view(), name="api-contacts"),
    path("contacts/<str:public_id>/", contacts.ContactDetailView.as_view(), name="api-contact"),
    path(
        "contacts/<str:public_id>/conversations/",
        contacts.ContactConversationView.as_view(),
        name="api-contact-conversations",
    ),
    path("tokens/", tokens.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<str:public_id>/revoke/", tokens.TokenRevokeView.as_view(), name="api-token-revoke"),
    path("webhooks/", webhooks.WebhookEndpointListView.as_view(), name="api-webhooks"),
    path("webhooks/<str:public_id>/actions/", webhooks.WebhookEndpointActionView.as_view(), name="api-webhook-action"),
]
