"""The canary: a unique marker written into every field a visitor and an agent can fill, then the
contact is erased. Afterwards nothing holds the marker: not a full dump of the database, not a
file under the media root, not a Redis key or value, not the search; old ids answer 404, and the
reports' totals are what they were.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from chat import clock, selectors, services
from chat.errors import ServiceError
from chat.models import Attachment, Contact, Conversation, Message, SatisfactionRating
from privacy import erasure
from privacy.models import ErasureRecord, PlaceholderContact
from tests.conftest import ORIGIN


def fill_everything(inbox, alice, marker: str) -> dict:
    """Write ``marker`` wherever a visitor or an agent can, through the services the widget and
    the console use; returns the ids and token a client held."""
    inbox.prechat_fields = [
        {"key": "name", "label": "Name", "required": True},
        {"key": "email", "label": "Email", "type": "email", "required": True},
        {"key": "order", "label": "Order", "required": False},
    ]
    inbox.save()
    contact, token = services.contact_create(inbox=inbox)
    address = f"{marker.lower()}@example.com"
    started = services.conversation_start_for_widget(
        contact=contact,
        text=f"hello, I am {marker}",
        client_id="c1",
        context={"url": f"https://shop.example/?q={marker}", "title": f"Page {marker}", "user_agent": f"UA {marker}"},
        prechat={"name": f"Name {marker}", "email": address, "order": f"order {marker}"},
    )
    conversation = started.conversation
    contact.refresh_from_db()
    services.contact_set_attributes(contact=contact, attributes={"plan": f"plan {marker}"})
    services.contact_identify(contact=contact, user_id=f"user-{marker}", user_hash="wrong")  # ignored claim
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    upload = services.attachment_upload(
        conversation=conversation,
        uploader=contact,
        upload=SimpleUploadedFile(f"{marker}.txt", f"file body {marker}\n".encode(), content_type="text/plain"),
    )
    services.message_send(
        conversation=conversation,
        sender=contact,
        text=f"see file {marker}",
        client_id="c2",
        attachments=[str(upload.public_id)],
    )
    services.message_send(conversation=conversation, sender=alice, text=f"agent says {marker}", client_id="a1")
    services.note_add(conversation=conversation, agent=alice, text=f"note about {marker}", client_id="n1")
    note_file = services.attachment_upload(
        conversation=conversation,
        uploader=alice,
        upload=SimpleUploadedFile("agent.txt", f"agent file {marker}\n".encode(), content_type="text/plain"),
    )
    services.note_add(
        conversation=conversation, agent=alice, text="file", client_id="n2", attachments=[str(note_file.public_id)]
    )
    services.contact_edit(contact=contact, actor=alice, changes={"external_id": f"ext-{marker}"})
    conversation = services.conversation_resolve(conversation=conversation, actor=alice)
    services.conversation_rate(conversation=conversation, contact=contact, score=4, comment=f"comment {marker}")
    services.transcript_email_request(conversation=conversation, contact=contact, email=address)
    return {
        "contact": contact,
        "token": token,
        "conversation_id": str(conversation.public_id),
        "message_ids": [
            str(m) for m in Message.objects.filter(conversation=conversation).values_list("public_id", flat=True)
        ],
        "attachment_ids": [str(upload.public_id), str(note_file.public_id)],
    }


def report_totals():
    from reports import queries
    from reports.filters import ReportFilter
    from reports.selectors import export_counts

    now = clock.now()
    import zoneinfo

    f = ReportFilter(
        start=now - timedelta(days=2), end=now + timedelta(days=2), zone=zoneinfo.ZoneInfo("UTC"), manager=True
    )
    summary = queries.summary(f)
    ids = list(queries.conversations(f).values_list("pk", flat=True))
    return {
        "summary": {k: v for k, v in summary.items() if isinstance(v, (int, float)) or v is None},
        "distribution": queries.distribution(f),
        "per_agent": [{k: v for k, v in row.items() if k != "agent"} for row in queries.per_agent(f)],
        "counts": export_counts(ids),
    }


def files_holding(root: Path, marker: str) -> list[Path]:
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file() and marker.encode() in p.read_bytes()] + [
        p for p in root.rglob("*") if marker in p.name
    ]


def assert_gone(ids: dict, inbox, alice) -> None:
    """Old ids and the token answer 404 or nothing."""
    assert selectors.contact_by_token(inbox=inbox, token=ids["token"]) is None
    assert not Contact.objects.filter(public_id=ids["contact"].public_id).exists()
    with pytest.raises(ServiceError) as error:
        selectors.conversation_for_agent(user=alice, public_id=ids["conversation_id"])
    assert error.value.status == 404
    assert not Message.objects.filter(public_id__in=ids["message_ids"]).exists()
    assert not Attachment.objects.filter(public_id__in=ids["attachment_ids"]).exists()
    client = Client()
    client.force_login(alice)
    assert client.get(f"/api/conversations/{ids['conversation_id']}/").status_code == 404
    assert client.get(f"/api/attachments/{ids['attachment_ids'][0]}/").status_code == 404


def erase_and_check_common(inbox, alice, marker: str, media_root: Path, dump=None) -> dict:
    ids = fill_everything(inbox, alice, marker)
    if dump is not None:  # the check below can see the canary where it is
        assert marker.encode() in dump()
    assert files_holding(media_root, marker), "the canary file was not stored"
    assert DBTaskResult.objects.filter(args_kwargs__icontains=marker.lower()).exists()
    before = report_totals()
    record = erasure.contact_erase(contact=ids["contact"], actor=alice)
    assert record.counts["contacts"] == 1 and record.counts["files"] == 2
    assert report_totals() == before
    assert_gone(ids, inbox, alice)
    assert files_holding(media_root, marker) == []
    assert selectors.search_for_agent(user=alice, query=marker) == []
    # The audit record holds no content.
    assert marker not in str(list(ErasureRecord.objects.values()))
    return ids


@pytest.mark.django_db(transaction=True)
def test_erasure_leaves_no_canary_in_any_table(inbox, alice, media):
    """Every table Django knows, dumped: no trace (the embedded pass's version of pg_dump)."""
    marker = "Canary" + uuid.uuid4().hex[:12]
    erase_and_check_common(inbox, alice, marker, Path(media))
    out = Path(media).parent / "dump.json"
    call_command("dumpdata", output=str(out), verbosity=0)
    dump = out.read_text()
    assert marker not in dump and marker.lower() not in dump
    assert SatisfactionRating.objects.filter(score=4).exists()  # the stub keeps the score


@pytest.mark.shared
@pytest.mark.django_db(transaction=True)
def test_erasure_leaves_no_canary_in_pg_dump_media_or_redis(inbox, alice, media):
    marker = "Canary" + uuid.uuid4().hex[:12]
    assert connection.vendor == "postgresql", "the shared pass runs on PostgreSQL"
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}

    def pg_dump() -> bytes:
        command = ["pg_dump", "--data-only", "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
        command += ["-U", db.get("USER") or "postgres", db["NAME"]]
        return subprocess.run(command, capture_output=True, env=env, check=True, timeout=120).stdout

    erase_and_check_common(inbox, alice, marker, Path(media), dump=pg_dump)
    dump = pg_dump()
    assert len(dump) > 1000
    assert marker.encode() not in dump and marker.lower().encode() not in dump
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(count=1000):
        assert marker.lower().encode() not in key.lower()
        kind = client.type(key)
        values: list[bytes] = []
        if kind == b"string":
            values = [client.get(key) or b""]
        elif kind == b"hash":
            values = [*client.hkeys(key), *client.hvals(key)]
        elif kind == b"list":
            values = client.lrange(key, 0, -1)
        elif kind == b"set":
            values = list(client.smembers(key))
        elif kind == b"zset":
            values = client.zrange(key, 0, -1)
        assert not any(marker.lower().encode() in (v or b"").lower() for v in values), key


@pytest.mark.django_db(transaction=True)
def test_the_erased_contacts_open_widget_socket_closes(inbox, alice):
    """The contact's socket is closed with 4004 by the erasure (chat.consumers)."""
    from asgiref.sync import async_to_sync

    from tests.conftest import visitor_session

    contact, token = services.contact_create(inbox=inbox, name="Sam")

    async def scenario() -> int:
        from channels.db import database_sync_to_async

        sock, _ = await visitor_session(inbox, token)
        await database_sync_to_async(erasure.contact_erase)(contact=contact, actor=alice)
        output = await sock.comm.receive_output(timeout=3)
        return output.get("code")

    assert async_to_sync(scenario)() == 4004


@pytest.mark.django_db(transaction=True)
def test_admin_deletes_a_contact_through_erasure_with_a_preview(inbox, alice, media):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    marker = "Canary" + uuid.uuid4().hex[:12]
    ids = fill_everything(inbox, alice, marker)
    contact = ids["contact"]
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/chat/contact/{contact.pk}/delete/")
    assert page.status_code == 200, page.content[:500]
    text = page.content.decode()
    assert "Cannot delete" not in text and "private notes" in text
    done = client.post(f"/admin/chat/contact/{contact.pk}/delete/", {"post": "yes"})
    assert done.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert files_holding(Path(media), marker) == []
    record = ErasureRecord.objects.get()
    assert record.actor_user == admin and record.kind == "contact"
    # The stub stays for the reports, under a new id.
    assert Conversation.objects.filter(number__isnull=False).exclude(public_id=ids["conversation_id"]).count() == 1
    # The placeholder holding the stubs cannot be deleted.
    placeholder = PlaceholderContact.objects.get().contact_id
    assert client.get(f"/admin/chat/contact/{placeholder}/delete/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_admin_deletes_a_conversation_through_erasure(inbox, alice, media):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    contact, _ = services.contact_create(inbox=inbox, name="Kim")
    conversation, _ = services.conversation_start(contact=contact, text="private thing", client_id="x1")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/chat/conversation/{conversation.pk}/delete/")
    assert page.status_code == 200 and b"Cannot delete" not in page.content
    assert client.post(f"/admin/chat/conversation/{conversation.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Conversation.objects.filter(public_id=conversation.public_id).exists()
    assert not Message.objects.filter(text="private thing").exists()
    assert Contact.objects.filter(pk=contact.pk).exists()  # only the conversation went
    assert ORIGIN
