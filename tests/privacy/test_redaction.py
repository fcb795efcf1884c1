"""Redaction before storing: what the finders take and keep, and a card number written in the
widget or the console never reaching the database, a broadcast, an e-mail or the search."""

from __future__ import annotations

import json
import time

import pytest
from asgiref.sync import async_to_sync
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from chat import selectors, services
from chat.models import Attachment, Contact, Message, SatisfactionRating
from chat.tasks import send_offline_reply, send_transcript
from privacy import policy
from privacy.models import InboxPrivacy
from privacy.redaction import Policy, check_patterns, cn_id_ok, iban_ok, luhn_ok, redact
from tests.conftest import new_client_id, visitor_session

CARD = "4111 1111 1111 1111"
CARD_DIGITS = "4111111111111111"


def luhn_complete(body: str) -> str:
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789", min_size=12, max_size=18), st.sampled_from(["", " ", "-"]))
def test_a_luhn_valid_number_is_redacted_keeping_the_last_four(body, sep):
    number = luhn_complete(body)
    written = sep.join(number[i : i + 4] for i in range(0, len(number), 4))
    out = redact(f"my card is {written}, thanks", Policy())
    assert number not in out.text.replace(" ", "").replace("-", "")
    assert f"ending {number[-4:]}]" in out.text and out.kinds == ["card"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="0123456789", min_size=13, max_size=19))
def test_a_number_failing_luhn_is_kept(number):
    if luhn_ok(number):
        number = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert redact(f"order {number}", Policy()).text == f"order {number}"


def test_the_optional_finders_and_their_checks():
    everything = Policy(emails=True, phones=True, phone_region="CN", cn_ids=True, ibans=True)
    text = "mail a.b@example.com, call +49 30 1234567 or 13812345678, id 11010519491231002X, "
    text += "iban DE89 3704 0044 0532 0130 00"
    out = redact(text, everything)
    for gone in ("a.b@example.com", "1234567", "13812345678", "11010519491231002X", "DE89"):
        assert gone not in out.text, out.text
    assert set(out.kinds) == {"email", "phone", "cn_id", "iban"}
    # Look-alikes that fail the checks stay.
    assert not cn_id_ok("110105194912310021") and cn_id_ok("11010519491231002X")
    assert not iban_ok("DE89370400440532013001") and iban_ok("DE89370400440532013000")
    assert redact("id 110105194912310021", Policy(cn_ids=True, cards=False)).text == "id 110105194912310021"
    # Off by default: only cards.
    assert redact(text, Policy()).text == text


def test_custom_patterns_are_checked_and_time_out_closed():
    with pytest.raises(ValueError, match="too long"):
        check_patterns([r"(a|aa)+$"])
    with pytest.raises(ValueError, match="valid"):
        check_patterns(["(unclosed"])
    with pytest.raises(ValueError, match="empty"):
        check_patterns(["x*"])
    assert check_patterns([r"ORD-\d{6}"]) == [r"ORD-\d{6}"]
    assert redact("order ORD-123456 late", Policy(cards=False, custom=(r"ORD-\d{6}",))).text == "order [redacted] late"
    # A pattern that slipped past the check still cannot stall a worker: the text fails closed.
    started = time.monotonic()
    out = redact("a" * 60 + "!", Policy(cards=False, custom=(r"(a|aa)+$",)))
    assert out.text == "[redacted]" and time.monotonic() - started < 2


@pytest.mark.django_db
def test_admin_settings_refuse_a_catastrophic_pattern(inbox):
    from django.core.exceptions import ValidationError

    row = InboxPrivacy(inbox=inbox, custom_patterns=[r"(a|aa)+$"])
    with pytest.raises(ValidationError):
        row.full_clean()


def everything_stored(conversation) -> str:
    """Every stored text of a conversation and its contact, as one string."""
    rows = [
        *Message.objects.filter(conversation=conversation).values_list("text", "search_terms", "sender_name"),
        *Attachment.objects.filter(conversation=conversation).values_list("name"),
        *SatisfactionRating.objects.filter(conversation=conversation).values_list("comment"),
        *Contact.objects.filter(pk=conversation.contact_id).values_list("name", "attributes"),
    ]
    return json.dumps(rows, ensure_ascii=False)


@pytest.mark.django_db(transaction=True)
def test_a_card_number_from_widget_and_console_reaches_no_store_broadcast_email_or_search(
    inbox, alice, broadcasts, settings
):
    settings.MEDIA_ROOT = settings.MEDIA_ROOT  # the privacy conftest's temporary root
    contact, token = services.contact_create(inbox=inbox)

    async def widget() -> dict:
        sock, _ = await visitor_session(inbox, token)
        started = await sock.request(
            {"type": "conversation.start", "text": f"card {CARD} please", "client_id": new_client_id()}, "conversation"
        )
        await sock.close()
        return started

    started = async_to_sync(widget)()
    assert CARD_DIGITS[-4:] in started["message"]["text"] and CARD not in started["message"]["text"]  # the ack
    conversation = selectors.conversation_for_agent(user=alice, public_id=started["conversation"]["id"])
    conversation.offline = True  # so that the agent's reply is e-mailed too
    type(conversation).objects.filter(pk=conversation.pk).update(offline=True)
    contact.refresh_from_db()
    services.contact_update(contact=contact, name=f"Ann {CARD}", email="ann@example.com")
    services.contact_set_attributes(contact=contact, attributes={"card": CARD})
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    reply = services.message_send(
        conversation=conversation, sender=alice, text=f"your card {CARD} works", client_id="a1"
    )
    services.note_add(conversation=conversation, agent=alice, text=f"note {CARD_DIGITS}", client_id="n1")
    services.attachment_upload(
        conversation=conversation, uploader=alice, upload=SimpleUploadedFile(f"{CARD_DIGITS}.txt", b"x\n")
    )
    assert send_offline_reply.call(reply.message.pk)
    assert send_transcript.call(conversation.pk, "ann@example.com")
    services.conversation_resolve(conversation=conversation, actor=alice)
    services.conversation_rate(conversation=conversation, contact=contact, score=5, comment=f"thanks {CARD}")

    stored = everything_stored(conversation)
    assert "ending 1111" in stored
    for form in (CARD, CARD_DIGITS):
        assert form not in stored
        assert form not in json.dumps([event for _, event in broadcasts], ensure_ascii=False)
        assert all(form not in m.body and form not in m.subject for m in mail.outbox)
    assert len(mail.outbox) == 2
    assert selectors.search_for_agent(user=alice, query=CARD_DIGITS) == []
    assert selectors.search_for_agent(user=alice, query="works")  # the rest of the text is searchable


@pytest.mark.django_db
def test_look_alikes_and_a_policy_without_cards_are_stored_as_written(inbox, alice, make_contact):
    contact = make_contact().contact
    conversation, _ = services.conversation_start(contact=contact, text="order 4111 1111 1111 1112", client_id="c1")
    assert Message.objects.get(conversation=conversation).text == "order 4111 1111 1111 1112"
    InboxPrivacy.objects.create(inbox=inbox, redact_cards=False, redact_emails=True)
    services.message_send(conversation=conversation, sender=contact, text=f"{CARD} me@example.com", client_id="c2")
    assert Message.objects.get(conversation=conversation, client_id="c2").text == f"{CARD} [redacted e-mail]"
    assert policy.policy_for(inbox.pk).emails


@pytest.mark.django_db
def test_a_name_full_of_card_numbers_still_fits(inbox, make_contact):
    contact = make_contact().contact
    name = " ".join([CARD_DIGITS] * 7)[:120]
    services.contact_update(contact=contact, name=name)
    contact.refresh_from_db()
    assert len(contact.name) <= 120 and CARD_DIGITS not in contact.name
