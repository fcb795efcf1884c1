"""The generated demo history looks like real traffic: spread in time, with comments that agree with scores."""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from chat.choices import SenderKind
from chat.models import Conversation, Message, SatisfactionRating
from reports.demo_content import COMMENTS, TOPICS_EN, TOPICS_ZH

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
    for conversation in Conversation.objects.order_by("?")[:100]:
        messages = list(Message.objects.filter(conversation=conversation, is_private=False).order_by("seq"))
        topic = next(t for t in topics if messages[0].text in t.questions)
        for message in messages[1:]:
            if message.sender_kind == SenderKind.AGENT:
                assert message.text in topic.replies
            else:
                assert message.text in topic.follow_ups
