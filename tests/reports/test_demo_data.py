"""The generated demo history looks like real traffic: spread in time, with comments that agree with scores."""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone

from chat.choices import Owner, SenderKind
from chat.models import Conversation, Message, SatisfactionRating
from reports import bot_queries
from reports.demo_bot import ANSWERED_EN, ANSWERED_ZH, ASK_FOR_HUMAN, NOT_HELPFUL_FOLLOW_UP
from reports.demo_content import COMMENTS, TOPICS_EN, TOPICS_ZH
from reports.filters import parse_filter

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    call_command("seed_demo", "--quiet")
    call_command("generate_demo_data", "--days", "21", "--total", "800", stdout=io.StringIO())


def test_no_instant_or_hour_holds_a_pile_of_conversations(history):
    starts = list(Conversation.objects.values_list("created_at", flat=True))
    assert len(starts) == 800
    assert max(Counter(starts).values()) <= 2  # a chance meeting on one second, never a pile
    by_hour = Counter(s.replace(minute=0, second=0, microsecond=0) for s in starts)
    assert max(by_hour.values()) < 20  # the busiest hour of three weeks, not a spike at one moment
    assert max(starts) <= timezone.now() - timedelta(hours=1)


def test_comments_agree_with_their_scores(history):
    ratings = list(SatisfactionRating.objects.exclude(comment=""))
    assert len(ratings) > 50
    for rating in ratings:
        assert rating.comment in COMMENTS[rating.score], (rating.score, rating.comment)


def test_agent_replies_belong_to_the_visitors_question(history):
    topics = TOPICS_EN + TOPICS_ZH
    bot_asks = {a.question for a in ANSWERED_EN + ANSWERED_ZH}
    bot_follow_ups = {*ASK_FOR_HUMAN.values(), *NOT_HELPFUL_FOLLOW_UP.values()}
    for conversation in Conversation.objects.order_by("?")[:150]:
        messages = list(Message.objects.filter(conversation=conversation, is_private=False).order_by("seq"))
        if conversation.owner == Owner.BOT:  # resolved by the bot: a question it answers, its answer
            assert messages[0].text in bot_asks and conversation.assignee_id is None
            assert [m.sender_kind for m in messages] == [SenderKind.CONTACT, SenderKind.BOT]
            assert messages[1].bot_answer["slug"] and messages[1].sender_name == "Assistant"
            continue
        topic = next(t for t in topics if messages[0].text in t.questions)
        for message in messages[1:]:
            if message.sender_kind == SenderKind.AGENT:
                assert message.text in topic.replies
            elif message.sender_kind == SenderKind.BOT:
                assert conversation.handoff is not None and message.bot_answer["slug"]
            else:
                assert message.text in topic.follow_ups or message.text in bot_follow_ups


def test_the_bot_section_has_figures_to_show(history, django_user_model):
    """The demo inbox has its bot on: the reports' Bot section shows every kind of figure."""
    manager = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    today = timezone.now().date()
    f = parse_filter(QueryDict(f"from={today - timedelta(days=25)}&to={today}"), user=manager, today=today)
    section = bot_queries.bot_section(f)
    overview = section["overview"]
    assert 0.4 < overview["involved"] / overview["total"] < 0.6
    assert overview["bot_only"] > 0 and overview["handed_off"] > 0 and overview["assumed"] > 0
    assert overview["bot_only_rated"] > 0 and overview["handed_off_rated"] > 0
    reasons = {row["reason"] for row in section["handoffs"]}
    assert {"low_confidence", "asked_for_human", "not_helpful"} <= reasons
    assert section["articles"] and section["articles"][0]["helpful"] > 0
    assert section["unanswered"] and section["unanswered"][0].count > 1
    # Handed-off conversations reached the queue after the bot let go.
    handed = Conversation.objects.filter(handoff__isnull=False).first()
    assert handed.waiting_since >= handed.created_at and handed.owner == Owner.HUMAN
