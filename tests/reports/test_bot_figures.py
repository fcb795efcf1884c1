# ruff: noqa: RUF001, RUF002  (Chinese text takes full-width punctuation)
"""The reports' Bot section checked against values worked out by hand on a fixed set of
conversations, written through the services (the bot's turns are played by calling its services
directly; the database is not transactional here, so no after-commit bot turn runs on its own).

The week (UTC, from Monday 2026-03-02), in an inbox whose bot is on:

  P Mon 09:00  bot answers refund-policy; visitor says it helped; the bot resolves (confirmed); rated 5
  Q Mon 10:00  bot answers refund-policy; visitor goes silent; the bot resolves (assumed); rated 3
  R Tue 09:00  "Where is my PARCEL?" -> low_confidence; ann claims, replies, resolves; rated 2
  S Tue 10:00  "where   is my parcel" -> low_confidence (same group as R)
  T Wed 09:00  "你们周末营业吗？" -> low_confidence
  U Wed 10:00  bot answers shipping-times (not helpful), then refund-policy (not helpful) -> not_helpful
  V Thu 09:00  "talk to a person" -> asked_for_human; ann claims
  W Thu 10:00  the bot is off: ben claims, resolves; rated 4 (the bot took no part)
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from chat import services
from chat.choices import HandoffReason
from chat.models import Conversation
from reports import bot_queries
from reports.filters import parse_filter

pytestmark = pytest.mark.django_db

WEEK = "from=2026-03-02&to=2026-03-08&tz=UTC"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 1 + day, hour, minute, tzinfo=UTC)


def article(slug: str) -> dict[str, str]:
    return {"slug": slug, "title": slug.replace("-", " ").title(), "url": f"/help/en/{slug}/", "locale": "en"}


class Bot:
    def __init__(self, clock, make_contact, inbox):
        self.clock, self.make_contact, self.inbox, self.n = clock, make_contact, inbox, 0

    def fresh(self, conversation: Conversation) -> Conversation:
        return Conversation.objects.select_related("contact", "inbox").get(pk=conversation.pk)

    def ask(self, when: datetime, text: str, conversation: Conversation | None = None) -> Conversation:
        self.clock.set(when)
        self.n += 1
        if conversation is None:
            contact = self.make_contact(f"V{self.n}").contact
            conversation, _ = services.conversation_start(contact=contact)
        services.message_send(
            conversation=self.fresh(conversation), sender=conversation.contact, text=text, client_id=f"q{self.n}"
        )
        return self.fresh(conversation)

    def answer(self, when: datetime, conversation: Conversation, slug: str):
        self.clock.set(when)
        return services.bot_reply(conversation=self.fresh(conversation), text="See this", article=article(slug))

    def feedback(self, when: datetime, conversation: Conversation, message, helpful: bool) -> None:
        self.clock.set(when)
        c = self.fresh(conversation)
        services.bot_feedback(conversation=c, contact=c.contact, message_id=str(message.public_id), helpful=helpful)

    def hand_off(self, when: datetime, conversation: Conversation, reason: str) -> None:
        self.clock.set(when)
        assert services.conversation_hand_off(conversation=self.fresh(conversation), reason=reason)

    def resolve_by_bot(self, when: datetime, conversation: Conversation, *, assumed: bool) -> None:
        self.clock.set(when)
        assert services.conversation_bot_resolve(conversation=self.fresh(conversation), assumed=assumed)

    def rate(self, when: datetime, conversation: Conversation, score: int) -> None:
        self.clock.set(when)
        c = self.fresh(conversation)
        services.conversation_rate(conversation=c, contact=c.contact, score=score)


@pytest.fixture
def week(inbox, make_contact, make_agent, clock):
    inbox.bot_enabled = True
    inbox.save()
    ann, ben = make_agent("ann"), make_agent("ben")
    b = Bot(clock, make_contact, inbox)
    ids = {}

    p = b.ask(at(1, 9), "How do I get a refund?")
    b.feedback(at(1, 9, 2), p, b.answer(at(1, 9, 1), p, "refund-policy"), True)
    b.resolve_by_bot(at(1, 9, 2), p, assumed=False)
    b.rate(at(1, 9, 3), p, 5)

    q = b.ask(at(1, 10), "refund please")
    b.answer(at(1, 10, 1), q, "refund-policy")
    b.resolve_by_bot(at(1, 11), q, assumed=True)
    b.rate(at(1, 11, 1), q, 3)

    r = b.ask(at(2, 9), "Where is my PARCEL?")
    b.hand_off(at(2, 9, 1), r, HandoffReason.LOW_CONFIDENCE)
    b.ask(at(2, 9, 2), "hello?", r)  # written after the handoff: not the question that led to it
    clock.set(at(2, 9, 3))
    services.conversation_claim(conversation=b.fresh(r), agent=ann)
    clock.set(at(2, 9, 4))
    services.message_send(conversation=b.fresh(r), sender=ann, text="On its way", client_id="a1")
    clock.set(at(2, 9, 5))
    services.conversation_resolve(conversation=b.fresh(r), actor=ann)
    b.rate(at(2, 9, 6), r, 2)

    s = b.ask(at(2, 10), "where   is my parcel")
    b.hand_off(at(2, 10, 1), s, HandoffReason.LOW_CONFIDENCE)

    t = b.ask(at(3, 9), "你们周末营业吗？")
    b.hand_off(at(3, 9, 1), t, HandoffReason.LOW_CONFIDENCE)

    u = b.ask(at(3, 10), "my order is late")
    b.feedback(at(3, 10, 2), u, b.answer(at(3, 10, 1), u, "shipping-times"), False)
    b.feedback(at(3, 10, 4), u, b.answer(at(3, 10, 3), u, "refund-policy"), False)
    b.hand_off(at(3, 10, 5), u, HandoffReason.NOT_HELPFUL)

    v = b.ask(at(4, 9), "talk to a person")
    b.hand_off(at(4, 9, 1), v, HandoffReason.ASKED_FOR_HUMAN)
    clock.set(at(4, 9, 2))
    services.conversation_claim(conversation=b.fresh(v), agent=ann)

    inbox.bot_enabled = False
    inbox.save()
    w = b.ask(at(4, 10), "hi")
    clock.set(at(4, 10, 1))
    services.conversation_claim(conversation=b.fresh(w), agent=ben)
    services.conversation_resolve(conversation=b.fresh(w), actor=ben)
    b.rate(at(4, 10, 2), w, 4)
    inbox.bot_enabled = True  # later conversations of the tests start with the bot again
    inbox.save()

    clock.set(at(6, 12))
    ids.update({name: c for name, c in zip("PQRSTUVW", (p, q, r, s, t, u, v, w), strict=True)})
    b.ids, b.ann, b.ben = ids, ann, ben
    return b


def report_filter(user, query: str = WEEK):
    return parse_filter(QueryDict(query), user=user, today=at(6, 12).date())


@pytest.fixture
def manager(make_agent):
    return make_agent("maria", manager=True)


def test_involvement_resolutions_and_satisfaction(week, manager):
    o = bot_queries.overview(report_filter(manager))
    assert (o["total"], o["involved"], o["bot_only"], o["handed_off"]) == (8, 7, 2, 5)
    assert o["involvement"].rate == pytest.approx(7 / 8)
    assert (o["confirmed"], o["assumed"], o["bot_resolved"]) == (1, 1, 2)
    assert o["resolution"].rate == pytest.approx(2 / 7)
    assert o["confirmed_share"].rate == 0.5
    assert (o["csat_bot_only"].successes, o["csat_bot_only"].n) == (1, 2)  # P 5, Q 3
    assert (o["csat_handed_off"].successes, o["csat_handed_off"].n) == (0, 1)  # R 2; W is neither


def test_handoffs_by_reason(week, manager):
    rows = bot_queries.handoffs(report_filter(manager))
    assert [(r["reason"], r["n"]) for r in rows] == [("low_confidence", 3), ("asked_for_human", 1), ("not_helpful", 1)]
    assert [r["share"] for r in rows] == pytest.approx([0.6, 0.2, 0.2])


def test_helpfulness_per_article(week, manager):
    rows = bot_queries.articles(report_filter(manager))
    assert [(r["slug"], r["title"], r["answers"], r["helpful"], r["not_helpful"]) for r in rows] == [
        ("refund-policy", "Refund Policy", 3, 1, 1),  # P yes, Q no answer, U no
        ("shipping-times", "Shipping Times", 1, 0, 1),
    ]
    assert rows[0]["helpful_rate"].rate == 0.5


def test_unanswered_questions_are_grouped(week, manager):
    groups = bot_queries.unanswered(report_filter(manager))
    assert [(g.count, g.example, g.conversation_number) for g in groups] == [
        (2, "where is my parcel", week.ids["S"].number),  # R and S; S is the latest
        (1, "你们周末营业吗？", week.ids["T"].number),
    ]
    assert groups[0].conversation_public_id == str(week.ids["S"].public_id)
    assert bot_queries.group_key("Refunds, please!") == bot_queries.group_key("please   REFUND")


def test_filters_narrow_the_section(week, manager):
    tuesday = report_filter(manager, "from=2026-03-03&to=2026-03-03&tz=UTC")
    o = bot_queries.overview(tuesday)
    assert (o["total"], o["involved"], o["handed_off"], o["bot_resolved"]) == (2, 2, 2, 0)
    assert [g.count for g in bot_queries.unanswered(tuesday)] == [2]
    # Seen from Shanghai (UTC+8), Monday 09:00 and 10:00 UTC are still Monday; Sunday 2026-03-01 is empty.
    sunday = report_filter(manager, "from=2026-03-01&to=2026-03-01&tz=Asia/Shanghai")
    assert bot_queries.overview(sunday)["total"] == 0
    other = report_filter(manager, WEEK + f"&inbox={week.inbox.pk + 1000}")
    assert bot_queries.overview(other)["total"] == 0 and bot_queries.unanswered(other) == []


def test_an_agent_sees_only_their_own(week, client):
    ann = get_user_model().objects.get(pk=week.ann.pk)
    f = report_filter(ann, WEEK + f"&agent={week.ben.pk}")  # the agent filter is forced to ann
    o = bot_queries.overview(f)
    assert (o["total"], o["involved"], o["bot_only"], o["handed_off"]) == (2, 2, 0, 2)  # R and V
    assert [(r["reason"], r["n"]) for r in bot_queries.handoffs(f)] == [("asked_for_human", 1), ("low_confidence", 1)]
    assert [(g.count, g.example) for g in bot_queries.unanswered(f)] == [(1, "Where is my PARCEL?")]
    assert bot_queries.articles(f) == []
    client.force_login(ann)
    html = client.get(f"/reports/?{WEEK}").content.decode()
    assert "Where is my PARCEL?" in html and "你们周末营业吗" not in html


def test_the_section_takes_four_queries_whatever_the_data(week, manager, django_assert_num_queries):
    f = report_filter(manager)
    with django_assert_num_queries(4):
        bot_queries.bot_section(f)
    for i in range(4):
        c = week.ask(at(5, 9 + i), "Is there a DISCOUNT code" + " " * i + "?!"[: i % 2 + 1])
        week.hand_off(at(5, 9 + i, 1), c, HandoffReason.LOW_CONFIDENCE)
        week.answer(at(5, 9 + i, 2), week.ask(at(5, 9 + i, 2), "refund"), "refund-policy")
    with django_assert_num_queries(4):
        section = bot_queries.bot_section(f)
    assert (section["unanswered"][0].count, section["unanswered"][0].example) == (4, "Is there a DISCOUNT code ?!")
    assert section["overview"]["involved"] == 15


def test_the_page_takes_a_fixed_number_of_queries(week, manager, client):
    client.force_login(manager)
    client.get(f"/reports/?{WEEK}")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/reports/?{WEEK}").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(3):
        c = week.ask(at(5, 9 + i), f"question {i}")
        week.hand_off(at(5, 9 + i, 1), c, HandoffReason.LOW_CONFIDENCE)
    assert count() == before


def test_the_section_renders_in_english_and_chinese(week, manager, client):
    client.force_login(manager)
    html = client.get(f"/reports/?{WEEK}").content.decode()
    assert '<strong id="bot-involvement">87.5%</strong>' in html
    assert '<strong id="bot-resolution">28.6%</strong>' in html
    assert '<td id="bot-confirmed">1</td>' in html and '<td id="bot-assumed">1</td>' in html
    assert '<td id="bot-csat-bot-only">50.0%</td>' in html and '<td id="bot-csat-handed-off">0.0%</td>' in html
    assert 'data-reason="low_confidence"' in html and "No article answers the question with confidence" in html
    assert 'data-slug="refund-policy"' in html
    s = week.ids["S"]
    assert f'href="/console/c/{s.public_id}/"' in html and "where is my parcel" in html
    zh = client.get(f"/reports/?{WEEK}", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "机器人" in zh and "没有把握回答的问题" in zh and "访客要求人工" in zh
