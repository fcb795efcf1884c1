"""The visitor's "Download my data" and "Delete my data" with its own token, consent, and the
staff endpoints to export and erase a contact."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chat import selectors, services
from chat.models import Contact
from privacy.models import Consent, ErasureRecord, InboxPrivacy
from tests.conftest import ORIGIN

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ORIGIN": ORIGIN}


@pytest.fixture
def chat(inbox, alice):
    contact, token = services.contact_create(inbox=inbox, name="Vera")
    conversation, _ = services.conversation_start(contact=contact, text="hello there", client_id="c1")
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    services.message_send(conversation=conversation, sender=alice, text="hi Vera", client_id="a1")
    services.note_add(conversation=conversation, agent=alice, text="secret note", client_id="n1")
    upload = services.attachment_upload(
        conversation=conversation, uploader=contact, upload=SimpleUploadedFile("photo.txt", b"my file\n")
    )
    services.message_send(
        conversation=conversation, sender=contact, text="", client_id="c2", attachments=[str(upload.public_id)]
    )
    return contact, token, conversation


def read_zip(content: bytes) -> tuple[dict, dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("data.json")), files


def test_the_visitor_downloads_its_data_without_private_notes(inbox, chat):
    _, token, _ = chat
    response = Client().get(f"/api/widget/{inbox.public_key}/my-data/export/", **bearer(token))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    data, files = read_zip(response.content)
    assert data["contact"]["name"] == "Vera"
    texts = [m["text"] for m in data["conversations"][0]["messages"]]
    assert "hello there" in texts and "hi Vera" in texts and "secret note" not in texts
    assert list(files.values()) == [b"my file\n"]
    assert all("payload" not in e for e in data["conversations"][0]["events"])


def test_a_wrong_token_gets_nothing(inbox, chat):
    assert Client().get(f"/api/widget/{inbox.public_key}/my-data/export/", **bearer("x" * 40)).status_code == 401


def test_the_visitor_deletes_its_data_once_confirmed(inbox, chat):
    contact, token, _ = chat
    url = f"/api/widget/{inbox.public_key}/my-data/erase/"
    assert Client().post(url, {}, content_type="application/json", **bearer(token)).status_code == 400
    assert Contact.objects.filter(pk=contact.pk).exists()
    done = Client().post(url, {"confirm": True}, content_type="application/json", **bearer(token))
    assert done.status_code == 200 and done.json() == {"erased": True}
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert selectors.contact_by_token(inbox=inbox, token=token) is None
    record = ErasureRecord.objects.get()
    assert record.actor_kind == "visitor" and record.actor_user is None and len(record.subject) == 64
    assert Client().post(url, {"confirm": True}, content_type="application/json", **bearer(token)).status_code == 401


def test_consent_is_stored_for_the_current_version(inbox, chat):
    contact, token, _ = chat
    url = f"/api/widget/{inbox.public_key}/consent/"
    assert Client().post(url, {"version": 1}, content_type="application/json", **bearer(token)).status_code == 400
    InboxPrivacy.objects.create(inbox=inbox, consent_notice="We store your chat.", consent_version=3)
    assert Client().post(url, {"version": 2}, content_type="application/json", **bearer(token)).status_code == 400
    assert Client().post(url, {"version": 3}, content_type="application/json", **bearer(token)).status_code == 200
    assert list(Consent.objects.filter(contact=contact).values_list("version", flat=True)) == [3]


def test_staff_export_and_erase_need_the_admins_permissions(chat, alice):
    contact, _, _ = chat
    client = Client()
    client.force_login(alice)
    assert client.get(f"/api/contacts/{contact.public_id}/export/").status_code == 403
    alice.user_permissions.add(Permission.objects.get(codename="view_contact"))
    alice = get_user_model().objects.get(pk=alice.pk)
    client.force_login(alice)
    data, _ = read_zip(client.get(f"/api/contacts/{contact.public_id}/export/").content)
    assert "secret note" in [m["text"] for m in data["conversations"][0]["messages"]]  # staff see notes
    assert client.post(f"/api/contacts/{contact.public_id}/erase/").status_code == 403
    alice.user_permissions.add(Permission.objects.get(codename="delete_contact"))
    client.force_login(get_user_model().objects.get(pk=alice.pk))
    preview = client.get(f"/api/contacts/{contact.public_id}/erase/").json()["preview"]
    assert preview["conversations"] == 1 and preview["private_notes"] == 1 and preview["attachments"] == 1
    assert client.post(f"/api/contacts/{contact.public_id}/erase/").status_code == 200
    assert client.get(f"/api/contacts/{contact.public_id}/export/").status_code == 404
    assert Client().get(f"/api/contacts/{contact.public_id}/export/").status_code in (401, 403)


def test_the_admin_action_exports_one_contact(chat):
    contact, _, _ = chat
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/chat/contact/", {"action": "export_selected", "_selected_action": [contact.pk]}, follow=False
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data, files = read_zip(response.content)
    assert data["contact"]["id"] == str(contact.public_id) and list(files.values()) == [b"my file\n"]
