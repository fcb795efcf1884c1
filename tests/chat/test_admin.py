"""The Django admin: every page renders, the transcript is read-only, actions go through services."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from chat import services
from chat.choices import ConversationStatus, EventType
from chat.models import Conversation


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def chat(visitor, alice):
    conversation, _ = services.conversation_start(contact=visitor.contact, text="Lost parcel", client_id="c")
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    services.note_add(conversation=conversation, agent=alice, text="check carrier", client_id="n")
    return conversation


@pytest.mark.parametrize(
    "model", ["inbox", "contact", "conversation", "message", "conversationevent", "satisfactionrating"]
)
def test_changelists_render_with_filters_and_search(admin_client, chat, model):
    url = reverse(f"admin:chat_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "parcel"}).status_code == 200


@pytest.mark.parametrize("model", ["agentprofile", "team", "routingrule", "agentconnection"])
def test_agent_side_changelists_render(admin_client, chat, model):
    assert admin_client.get(reverse(f"admin:agents_{model}_changelist")).status_code == 200


def test_conversation_page_shows_the_transcript_read_only(admin_client, chat):
    page = admin_client.get(reverse("admin:chat_conversation_change", args=[chat.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Lost parcel" in html and "check carrier" in html
    assert 'name="messages-0-text"' not in html  # shown, not editable


def test_search_finds_a_conversation_by_transcript_text(admin_client, chat):
    page = admin_client.get(reverse("admin:chat_conversation_changelist"), {"q": "Lost parcel"})
    assert f"#{chat.number}" in page.content.decode()


def test_resolve_action_goes_through_the_service(admin_client, chat):
    response = admin_client.post(
        reverse("admin:chat_conversation_changelist"),
        {"action": "resolve_selected", "_selected_action": [chat.pk]},
        follow=True,
    )
    assert response.status_code == 200
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.RESOLVED
    assert chat.events.filter(type=EventType.RESOLVED).exists()
    assert Conversation.objects.count() == 1


def test_inbox_page_shows_the_embed_snippet(admin_client, inbox, settings):
    settings.HELPDESK = {**settings.HELPDESK, "PUBLIC_URL": "https://help.shop.example:8443/"}
    page = admin_client.get(reverse("admin:chat_inbox_change", args=[inbox.pk])).content.decode()
    assert inbox.public_key in page
    # This server's own address, not a placeholder for the admin to edit.
    assert 'src="https://help.shop.example:8443/static/widget/loader.js"' in page
    assert "YOUR-HELPDESK" not in page


def contact_form(contact, **changes) -> dict:
    data = {
        "name": contact.name,
        "email": contact.email,
        "attributes": json.dumps(contact.attributes or {}),
        "external_id": contact.external_id,
    }
    return {**data, **changes}


def test_a_contact_edit_goes_through_the_service_and_is_audited(admin_client, chat, visitor):
    contact = visitor.contact
    url = reverse("admin:chat_contact_change", args=[contact.pk])
    response = admin_client.post(url, contact_form(contact, name="Vera V.", external_id="crm-42"))
    assert response.status_code == 302, response.content.decode()[:2000]
    contact.refresh_from_db()
    assert (contact.name, contact.external_id) == ("Vera V.", "crm-42")
    event = chat.events.get(type=EventType.CONTACT_EDITED)
    assert event.payload == {"fields": ["external_id", "name"], "external_id": "crm-42"}
    assert event.actor_user.username == "root"
    # Saving again unchanged records nothing more.
    admin_client.post(url, contact_form(contact))
    assert chat.events.filter(type=EventType.CONTACT_EDITED).count() == 1


def test_a_contact_edit_the_service_refuses_shows_on_the_form(admin_client, chat, visitor):
    contact = visitor.contact
    url = reverse("admin:chat_contact_change", args=[contact.pk])
    response = admin_client.post(url, contact_form(contact, attributes=json.dumps(["not", "an", "object"])))
    assert response.status_code == 200 and "attributes must be an object" in response.content.decode()
    assert not chat.events.filter(type=EventType.CONTACT_EDITED).exists()
