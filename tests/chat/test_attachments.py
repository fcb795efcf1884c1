"""Attachments: checked from their content, stored under random names, sent by a message, and
downloaded only by who may see them, as downloads a browser neither sniffs nor runs."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chat import services
from chat.attachments import safe_name, sniff
from chat.errors import ServiceError
from chat.models import Attachment, Inbox
from chat.payloads import message_payload

ORIGIN = "https://shop.example"


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def chat(visitor, alice):
    conversation, _ = services.conversation_start(contact=visitor.contact, text="hi", client_id="c0")
    return services.conversation_claim(conversation=conversation, agent=alice)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ORIGIN": ORIGIN}


def upload_url(inbox: Inbox, conversation) -> str:
    return f"/api/widget/{inbox.public_key}/conversations/{conversation.public_id}/attachments/"


def download_url(inbox: Inbox, attachment_id: str) -> str:
    return f"/api/widget/{inbox.public_key}/attachments/{attachment_id}/"


def post_file(client, inbox, conversation, token, name: str, data: bytes, content_type: str = "image/png"):
    return client.post(
        upload_url(inbox, conversation),
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
        **bearer(token),
    )


def test_an_image_round_trip_through_the_widget_endpoints(client, inbox, visitor, chat, media):
    data = png_bytes()
    response = post_file(
        client, inbox, chat, visitor.token, "../../etc/My photo?.exe", data, "application/x-msdownload"
    )
    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    body = response.json()
    assert body["content_type"] == "image/png" and body["is_image"] is True  # from the content, not the name
    assert body["name"] == "My photo_.png" and (body["width"], body["height"]) == (4, 3)
    stored = Attachment.objects.get()
    assert stored.file.name.startswith("attachments/") and "photo" not in stored.file.name
    assert (media / stored.file.name).read_bytes() == data

    result = services.message_send(
        conversation=chat, sender=visitor.contact, text="", client_id="c1", attachments=[body["id"]]
    )
    payload = message_payload(result.message, conversation_id=str(chat.public_id), for_contact=True)
    assert payload["text"] == "" and payload["attachments"] == [body]

    download = client.get(download_url(inbox, body["id"]), **bearer(visitor.token))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in download["Content-Security-Policy"]
    assert "sandbox" in download["Content-Security-Policy"]


def test_only_who_may_see_a_file_can_download_it(client, inbox, visitor, make_contact, chat, alice, make_agent):
    body = post_file(client, inbox, chat, visitor.token, "a.png", png_bytes()).json()
    stranger = make_contact("Stranger")
    # Not sent yet: only its uploader sees it.
    client.force_login(alice)
    assert client.get(f"/api/attachments/{body['id']}/").status_code == 404
    assert client.get(download_url(inbox, body["id"]), **bearer(stranger.token)).status_code == 404
    services.message_send(
        conversation=chat, sender=visitor.contact, text="see", client_id="c1", attachments=[body["id"]]
    )
    assert client.get(download_url(inbox, body["id"]), **bearer(stranger.token)).status_code == 404
    assert client.get(download_url(inbox, body["id"]), **bearer(visitor.token)).status_code == 200
    assert client.get(f"/api/attachments/{body['id']}/").status_code == 200
    outsider = make_agent("olga", inboxes=[Inbox.objects.create(name="Other", allowed_origins=[])])
    client.force_login(outsider)
    assert client.get(f"/api/attachments/{body['id']}/").status_code == 404
    client.logout()
    assert client.get(f"/api/attachments/{body['id']}/").status_code in (401, 403)


def test_files_of_private_notes_never_reach_the_contact(client, inbox, visitor, chat, alice):
    client.force_login(alice)
    response = client.post(
        f"/api/conversations/{chat.public_id}/attachments/",
        {"file": SimpleUploadedFile("notes.txt", b"internal only\n", content_type="text/plain")},
    )
    assert response.status_code == 201, response.content
    note = services.note_add(conversation=chat, agent=alice, text="see file", client_id="n1")
    assert note.created
    attachment_id = response.json()["id"]
    with pytest.raises(ServiceError) as error:  # a note is sent with message_send(is_private=True)
        services.message_send(
            conversation=chat, sender=alice, text="file", client_id="n2", is_private=True, attachments=["nope"]
        )
    assert error.value.code == "invalid"
    services.note_add(conversation=chat, agent=alice, text="file", client_id="n3", attachments=[attachment_id])
    assert client.get(f"/api/attachments/{attachment_id}/").status_code == 200
    client.logout()
    assert client.get(download_url(inbox, attachment_id), **bearer(visitor.token)).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "code", "status"),
    [
        ("cat.png", b"<html><script>alert(1)</script></html>", "unsupported_file_type", 415),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
            "unsupported_file_type",
            415,
        ),
        ("run.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "unsupported_file_type", 415),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "invalid_file", 400),
        ("empty.txt", b"", "invalid_file", 400),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_code(client, inbox, visitor, chat, name, data, code, status):
    response = post_file(client, inbox, chat, visitor.token, name, data)
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert not Attachment.objects.exists()


def test_the_size_limit_comes_from_the_settings(client, inbox, visitor, chat, settings):
    settings.HELPDESK = {**settings.HELPDESK, "MAX_ATTACHMENT_BYTES": 1024 * 1024}
    response = post_file(client, inbox, chat, visitor.token, "big.txt", b"a" * (1024 * 1024 + 1), "text/plain")
    assert response.status_code == 413 and response.json()["error"]["code"] == "file_too_large"
    assert "1 MB" in response.json()["error"]["message"]
    # A body far over the limit is refused from its declared length, before it is read.
    huge = post_file(client, inbox, chat, visitor.token, "huge.txt", b"a" * (3 * 1024 * 1024), "text/plain")
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "file_too_large"


def test_a_file_is_sent_once_and_only_by_its_uploader(client, inbox, visitor, make_contact, chat, alice):
    body = post_file(client, inbox, chat, visitor.token, "a.png", png_bytes()).json()
    with pytest.raises(ServiceError) as error:  # an agent cannot send the visitor's upload
        services.message_send(conversation=chat, sender=alice, text="x", client_id="a1", attachments=[body["id"]])
    assert error.value.code == "not_found"
    services.message_send(conversation=chat, sender=visitor.contact, text="", client_id="c1", attachments=[body["id"]])
    with pytest.raises(ServiceError) as error:
        services.message_send(
            conversation=chat, sender=visitor.contact, text="", client_id="c2", attachments=[body["id"]]
        )
    assert error.value.code == "not_found"
    # A retry of the first send is answered from the stored message, files and all.
    again = services.message_send(
        conversation=chat, sender=visitor.contact, text="", client_id="c1", attachments=[body["id"]]
    )
    assert not again.created and [a.public_id for a in again.message.attachments.all()] == [
        Attachment.objects.get().public_id
    ]
    with pytest.raises(ServiceError) as error:  # no text and no files
        services.message_send(conversation=chat, sender=visitor.contact, text="", client_id="c3")
    assert error.value.code == "invalid"


def test_uploads_need_the_contacts_own_conversation_and_token(client, inbox, visitor, make_contact, chat):
    stranger = make_contact("Stranger")
    assert post_file(client, inbox, chat, stranger.token, "a.png", png_bytes()).status_code == 404
    response = client.post(upload_url(inbox, chat), {"file": SimpleUploadedFile("a.png", png_bytes())})
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


def test_history_pages_carry_the_files_without_a_query_per_message(
    client, inbox, visitor, chat, django_assert_max_num_queries
):
    for n in range(3):
        body = post_file(client, inbox, chat, visitor.token, f"p{n}.png", png_bytes()).json()
        services.message_send(
            conversation=chat, sender=visitor.contact, text=f"file {n}", client_id=f"f{n}", attachments=[body["id"]]
        )
    url = f"/api/widget/{inbox.public_key}/conversations/{chat.public_id}/messages/"
    with django_assert_max_num_queries(6):
        page = client.get(url, **bearer(visitor.token)).json()
    files = [m["attachments"] for m in page["results"] if m["attachments"]]
    assert [f[0]["name"] for f in files] == ["p0.png", "p1.png", "p2.png"]


def test_sniffing_and_safe_names():
    assert sniff(b"%PDF-1.7\n") == "application/pdf"
    assert sniff("plain text, ünïcode\n".encode()) == "text/plain"
    assert sniff(b"  <!doctype html>") is None  # markup is never taken for text
    assert sniff(b"\x00\x01binary") is None
    assert safe_name("C:\\Users\\me\\report.final.PDF", ".pdf") == "report.final.pdf"
    assert safe_name("\u202eexe.png", ".png") == "exe.png"  # no bidi override to disguise the name
    assert safe_name("", ".txt") == "file.txt"
    assert len(safe_name("x" * 500 + ".txt", ".txt")) == 120


def test_cross_origin_uploads_are_allowed_for_the_inboxs_origins_only(client, inbox, visitor, chat):
    url = upload_url(inbox, chat)
    preflight = client.options(
        url,
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    foreign = client.options(url, HTTP_ORIGIN="https://evil.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "Access-Control-Allow-Origin" not in foreign


def test_the_visitors_transcript_download_and_email(client, inbox, visitor, make_contact, chat, alice):
    services.note_add(conversation=chat, agent=alice, text="PRIVATE: check the refund", client_id="n1")
    services.message_send(conversation=chat, sender=alice, text="Line one\n[fake] Agent: line two", client_id="a1")
    base = f"/api/widget/{inbox.public_key}/conversations/{chat.public_id}/"
    response = client.get(base + "transcript.txt", **bearer(visitor.token))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="conversation-{chat.number}.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    text = response.content.decode()
    assert "hi" in text and "Line one\n    [fake] Agent: line two" in text and "PRIVATE" not in text
    stranger = make_contact("Stranger")
    assert client.get(base + "transcript.txt", **bearer(stranger.token)).status_code == 404

    email = base + "transcript/email/"
    missing = client.post(email, {}, content_type="application/json", **bearer(visitor.token))
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "invalid"
    bad = client.post(email, {"email": "nope"}, content_type="application/json", **bearer(visitor.token))
    assert bad.status_code == 400 and "email" in bad.json()["error"]["fields"]
    sent = client.post(email, {"email": "vera@example.com"}, content_type="application/json", **bearer(visitor.token))
    assert sent.status_code == 202 and sent.json() == {"email": "vera@example.com"}
    again = client.post(email, {}, content_type="application/json", **bearer(visitor.token))
    assert again.status_code == 429 and again.json()["error"]["code"] == "rate_limited"
