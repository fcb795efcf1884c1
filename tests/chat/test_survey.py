"""The satisfaction survey: the inbox's scale, one answer with a limited edit window, the email link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.signing import TimestampSigner

from chat import selectors, services
from chat.choices import CsatScale
from chat.errors import ServiceError
from chat.models import Conversation, SatisfactionRating
from chat.tasks import RATING_LINK_MAX_AGE, RATING_SALT, rating_link, send_rating_request


@pytest.fixture
def resolved(visitor, alice):
    conversation, _ = services.conversation_start(contact=visitor.contact, text="hi", client_id="c")
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    services.conversation_resolve(conversation=conversation, actor=alice)
    return Conversation.objects.select_related("inbox", "contact").get(pk=conversation.pk)


def test_thumbs_take_up_or_down_only(resolved):
    resolved.inbox.csat_scale = CsatScale.THUMBS
    resolved.inbox.save()
    with pytest.raises(ServiceError) as error:
        services.conversation_rate(conversation=resolved, contact=resolved.contact, score=3)
    assert error.value.code == "invalid"
    assert services.conversation_rate(conversation=resolved, contact=resolved.contact, score=5).score == 5


def test_comments_are_dropped_when_the_inbox_does_not_ask_for_them(resolved):
    resolved.inbox.csat_comment = False
    resolved.inbox.save()
    rating = services.conversation_rate(conversation=resolved, contact=resolved.contact, score=4, comment="meh")
    assert rating.comment == ""


def test_a_rating_can_be_changed_within_the_window_only(resolved, monkeypatch):
    from chat import clock

    start = clock.now()
    services.conversation_rate(conversation=resolved, contact=resolved.contact, score=2)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=23))
    services.conversation_rate(conversation=resolved, contact=resolved.contact, score=4)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=25))
    with pytest.raises(ServiceError) as error:
        services.conversation_rate(conversation=resolved, contact=resolved.contact, score=5)
    assert error.value.code == "rating_locked"
    assert SatisfactionRating.objects.get().score == 4


def test_the_email_goes_only_to_visitors_who_did_not_rate(resolved, mailoutbox):
    assert send_rating_request.call(resolved.pk) is False  # no email address
    services.contact_update(contact=resolved.contact, email="vera@example.com")
    assert send_rating_request.call(resolved.pk) is True
    assert mailoutbox[0].to == ["vera@example.com"]
    # The link names this conversation (the token's timestamp may differ from a link made now).
    prefix = rating_link(resolved).rsplit("/rate/", 1)[0] + "/rate/"
    token = mailoutbox[0].body.split(prefix, 1)[1].split("/", 1)[0]
    named = selectors.conversation_for_link(token=token, salt=RATING_SALT, max_age=RATING_LINK_MAX_AGE)
    assert named is not None and named.pk == resolved.pk
    services.conversation_rate(conversation=resolved, contact=resolved.contact, score=5)
    assert send_rating_request.call(resolved.pk) is False


@pytest.mark.django_db(transaction=True)
def test_resolving_schedules_the_email_for_later(visitor, alice):
    from django_tasks_db.models import DBTaskResult

    services.contact_update(contact=visitor.contact, email="vera@example.com")
    conversation, _ = services.conversation_start(contact=visitor.contact, text="hi", client_id="c")
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    services.conversation_resolve(conversation=conversation, actor=alice)
    task = DBTaskResult.objects.get(task_path="chat.tasks.send_rating_request")
    assert task.run_after is not None and task.args_kwargs["args"] == [conversation.pk]


def test_the_emailed_link_rates_and_changes_the_rating(resolved, client):
    url = rating_link(resolved).split("8000", 1)[1]
    page = client.get(url)
    assert page.status_code == 200 and resolved.inbox.csat_question in page.content.decode()
    assert client.post(url, {"score": "5", "comment": "great"}).status_code == 200
    assert client.post(url, {"score": "2"}).status_code == 200
    rating = SatisfactionRating.objects.get()
    assert (rating.score, rating.comment) == (2, "")
    bad = client.post(url, {"score": "9"})
    assert bad.status_code == 400 and "score must be" in bad.content.decode()


def test_forged_or_expired_links_do_not_work(resolved, client, monkeypatch):
    assert client.get(f"/rate/{resolved.public_id}:forged/").status_code == 404
    token = TimestampSigner(salt=RATING_SALT).sign(str(resolved.public_id))
    monkeypatch.setattr("chat.views.RATING_LINK_MAX_AGE", -1)
    assert client.get(f"/rate/{token}/").status_code == 410
