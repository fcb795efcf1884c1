"""Webhooks: recorded in the change's transaction, signed (Standard Webhooks), delivered in order
exactly once by the worker, retried with growing delays, disabled by a 410 or persistent failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from chat import clock, services
from chat.models import Inbox
from integrations.choices import DeliveryStatus
from integrations.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.webhooks import dispatch
from integrations.webhooks import services as webhook_services

pytestmark = pytest.mark.django_db

ALL = webhook_services.SUBSCRIBABLE


def later(monkeypatch, seconds: float) -> None:
    moved = clock.now() + timedelta(seconds=seconds)
    monkeypatch.setattr(clock, "now", lambda: moved)


def test_every_event_is_signed_and_arrives_once_in_order(alice, make_contact, endpoint, receiver):
    endpoint(ALL)
    visitor = make_contact("Olga")
    conversation, _ = services.conversation_start(contact=visitor.contact, text="hi", client_id="c1")
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    services.message_send(conversation=conversation, sender=alice, text="hello", client_id="a1")
    services.conversation_resolve(conversation=conversation, actor=alice)
    dispatch.run_once()
    dispatch.run_once()  # nothing more to send
    types = [r["type"] for r in receiver.received]
    assert receiver.bad_signatures == 0
    assert types[0] == "contact.created"
    assert (
        types.index("conversation.created")
        < types.index("conversation.assigned")
        < types.index("conversation.resolved")
    )
    assert types.count("message.created") >= 3  # the visitor's, the "joined" notice, the agent's
    ids = [r["id"] for r in receiver.received]
    assert len(ids) == len(set(ids)) == WebhookEvent.objects.count()
    resolved = next(r for r in receiver.received if r["type"] == "conversation.resolved")
    assert resolved["data"]["conversation"]["status"] == "resolved"  # the state after the change
    assert resolved["data"]["conversation"]["id"] == str(conversation.public_id)


def test_an_event_rolled_back_with_its_change_is_never_sent(alice, make_contact, endpoint, receiver):
    from django.db import transaction

    endpoint(["contact.created"])
    with pytest.raises(RuntimeError), transaction.atomic():
        make_contact("Ghost")
        raise RuntimeError("rolled back")
    assert WebhookEvent.objects.count() == 0


def test_inbox_endpoints_get_only_their_inbox_and_chosen_events(make_contact, endpoint, receiver):
    other = Inbox.objects.create(name="Other")
    endpoint(["conversation.created"], inbox=other)
    make_contact("A")  # contact.created: not chosen
    services.conversation_start(contact=make_contact("B").contact)  # another inbox
    services.conversation_start(contact=make_contact("C", target=other).contact)
    dispatch.run_once()
    assert [r["type"] for r in receiver.received] == ["conversation.created"]


def test_fails_three_times_then_succeeds_once(make_contact, endpoint, receiver, monkeypatch):
    endpoint(["contact.created"])
    receiver.answers = [500, 503, 502]
    make_contact("Retry")
    make_contact("After")
    wake = dispatch.run_once()
    assert receiver.received == [] and wake is not None
    delivery = WebhookDelivery.objects.order_by("id").first()
    assert delivery.attempts == 1
    # the retries come later and later; the second event waits behind the first (order)
    delays = []
    for _ in range(3):
        before = clock.now()
        later(monkeypatch, (wake - before).total_seconds() + 1)
        delays.append((wake - before).total_seconds())
        wake = dispatch.run_once()
    assert delays[0] < delays[1] < delays[2]
    assert [r["data"]["contact"]["name"] for r in receiver.received] == ["Retry", "After"]
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 2
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 4


def test_410_disables_the_endpoint(make_contact, endpoint, receiver):
    hook = endpoint(["contact.created"])
    receiver.answers = [410]
    make_contact("Gone")
    make_contact("Next")
    dispatch.run_once()
    hook.refresh_from_db()
    assert hook.is_active is False and "410" in hook.disabled_reason
    assert not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists()


def test_persistent_failure_disables_and_mails_the_admins(make_contact, endpoint, receiver, settings, monkeypatch):
    settings.ADMINS = [("Admin", "admin@example.com")]
    hook = endpoint(["contact.created"])
    receiver.answers = [500] * 20
    make_contact("Never")
    wake = dispatch.run_once()
    while wake is not None:
        later(monkeypatch, (wake - clock.now()).total_seconds() + 1)
        wake = dispatch.run_once()
    hook.refresh_from_db()
    assert hook.is_active is False
    assert WebhookDelivery.objects.get().attempts == len(dispatch.RETRY_DELAYS) + 1
    assert len(mail.outbox) == 1 and hook.name in mail.outbox[0].subject


def test_redeliver_and_test_event(make_contact, endpoint, receiver):
    hook = endpoint(["contact.created"])
    make_contact("Once")
    dispatch.run_once()
    webhook_services.delivery_redeliver(delivery=WebhookDelivery.objects.get())
    webhook_services.endpoint_send_test(endpoint=hook)
    dispatch.run_once()
    types = [r["type"] for r in receiver.received]
    assert types == ["contact.created", "contact.created", "webhook.test"]
    assert receiver.received[0]["id"] == receiver.received[1]["id"]  # the same webhook-id: dedupe


def test_a_rotated_secret_signs_beside_the_old_one(make_contact, endpoint, receiver):
    hook = endpoint(["contact.created"])
    old = hook.secret
    webhook_services.endpoint_rotate_secret(endpoint=hook)
    make_contact("Rotated")
    dispatch.run_once()
    assert receiver.received and receiver.secret == old  # the receiver still knows the old one only
    receiver.secret = WebhookEndpoint.objects.get().secret
    make_contact("New")
    dispatch.run_once()
    assert receiver.bad_signatures == 0 and len(receiver.received) == 2


def test_private_addresses_are_refused_unless_allowed(settings, make_contact, endpoint, receiver):
    from chat.errors import ServiceError

    hook = endpoint(["contact.created"])
    settings.HELPDESK = {**settings.HELPDESK, "WEBHOOKS_ALLOW_PRIVATE": False}
    for url in ["http://127.0.0.1/x", "http://10.1.2.3/x", "http://169.254.169.254/latest", "http://[::1]/x"]:
        with pytest.raises(ServiceError):
            webhook_services.endpoint_create(name="bad", url=url, events=["contact.created"])
    # and at delivery time (the name may resolve elsewhere by then)
    make_contact("Blocked")
    dispatch.run_once()
    attempt = DeliveryAttempt.objects.get(endpoint=hook)
    assert attempt.error.startswith("refused") and receiver.received == []


def test_no_endpoint_costs_no_query_on_the_message_path(alice, make_contact):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    conversation, _ = services.conversation_start(contact=make_contact().contact, text="hi", client_id="q0")
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    with CaptureQueriesContext(connection) as queries:
        services.message_send(conversation=conversation, sender=alice, text="fast", client_id="q1")
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert [s for s in statements if s not in {"BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"}] == ["UPDATE", "INSERT"]


def test_old_events_are_pruned_once_delivered(make_contact, endpoint, receiver, monkeypatch):
    endpoint(["contact.created"])
    make_contact("Old")
    dispatch.run_once()
    assert WebhookEvent.objects.count() == 1
    later(monkeypatch, dispatch.KEEP_EVENTS.total_seconds() + 60)
    dispatch.run_once()
    assert WebhookEvent.objects.count() == 0 and DeliveryAttempt.objects.count() == 0


def test_the_delivery_log_is_bounded(make_contact, endpoint, receiver, settings, monkeypatch):
    settings.HELPDESK = {**settings.HELPDESK, "WEBHOOK_LOG_KEEP": 3}
    hook = endpoint(["contact.created"])
    receiver.answers = [500] * 4
    make_contact("Logged")
    wake = dispatch.run_once()
    for _ in range(4):
        later(monkeypatch, (wake - clock.now()).total_seconds() + 1)
        wake = dispatch.run_once()
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED
    log = list(DeliveryAttempt.objects.filter(endpoint=hook).order_by("id"))
    assert len(log) == 3 and log[-1].response_status == 200
    assert log[-1].request_body.startswith('{"type":"contact.created"')
    assert "webhook-signature" not in log[-1].request_headers  # never logged


def test_one_wake_up_per_transaction(alice, make_contact, endpoint, receiver, django_capture_on_commit_callbacks):
    from integrations.webhooks import outbox

    endpoint(ALL)
    with django_capture_on_commit_callbacks() as callbacks:
        services.conversation_start(contact=make_contact().contact, text="hi", client_id="c1")
    assert WebhookEvent.objects.count() >= 3
    assert sum(1 for c in callbacks if c is outbox.wake_worker) == 1


def test_rating_and_bot_handoff_events_carry_their_payloads(alice, inbox, make_contact, endpoint, receiver):
    endpoint(["rating.submitted", "bot.handed_off", "conversation.status_changed"])
    visitor = make_contact("Rater").contact
    conversation, _ = services.conversation_start(contact=visitor, text="hi", client_id="c1")
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    services.conversation_resolve(conversation=conversation, actor=alice)
    services.conversation_rate(conversation=conversation, contact=visitor, score=5, comment="great")
    inbox.bot_enabled = True
    inbox.save()
    other = make_contact("Botted").contact
    held, _ = services.conversation_start(contact=other, text="question", client_id="c2")
    services.conversation_hand_off(conversation=held, reason="asked_for_human", actor=other)
    dispatch.run_once()
    by_type = {}
    for r in receiver.received:
        by_type.setdefault(r["type"], []).append(r["data"])
    assert by_type["rating.submitted"][0]["rating"]["score"] == 5
    handed = by_type["bot.handed_off"][0]
    assert handed["handoff"]["reason"] == "asked_for_human" and handed["conversation"]["status"] == "waiting"
    changes = [d["change"] for d in by_type["conversation.status_changed"]]
    assert changes == ["claimed", "resolved", "handed_off"]


def test_erasing_a_contact_deletes_the_webhook_events_about_them(alice, make_contact, endpoint, receiver):
    """The outbox keeps copies of what people wrote (payloads, delivery log): the privacy app's
    erasure removes them with the rest, and leaves other people's events alone."""
    from django.core.serializers import serialize

    from privacy.erasure import contact_erase

    endpoint(ALL)
    marker = "CANARY-7f3a"
    visitor = make_contact(f"Olga {marker}")
    conversation, _ = services.conversation_start(contact=visitor.contact, text=f"hi {marker}", client_id="c1")
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    services.message_send(conversation=conversation, sender=alice, text=f"hello {marker}", client_id="a1")
    dispatch.run_once()
    other = make_contact("Ben")
    services.conversation_start(contact=other.contact, text="unrelated", client_id="b1")
    assert marker in serialize("json", WebhookEvent.objects.all())
    assert WebhookDelivery.objects.exists() and DeliveryAttempt.objects.exists()

    record = contact_erase(contact=visitor.contact, actor=alice)

    rows = [*WebhookEvent.objects.all(), *WebhookDelivery.objects.all(), *DeliveryAttempt.objects.all()]
    left = serialize("json", rows)
    assert marker not in left
    assert record.counts["webhook_events"] >= 5
    assert WebhookEvent.objects.filter(payload__contact__id=str(other.contact.public_id)).exists()
