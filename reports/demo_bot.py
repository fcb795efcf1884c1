# ruff: noqa: RUF001  (Chinese text takes full-width punctuation)
"""The bot's part in the demo history: which generated conversations the bot answered, resolved
or handed off, and why, so that the reports' Bot section has figures to show on a fresh install.

The shares follow what a small shop sees in its first months with a help-centre bot: it takes
part in about half of the chats, settles a third of those by itself, and hands the rest over,
most often because it did not know the answer. The questions it answers come from the demo
knowledge base (knowledge/fixtures/demo_kb.jsonl); the ones it cannot answer are the history's own
topics, which repeat, so that the "unanswered questions" groups are worth reading.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from chat.choices import ActorKind, EventType, HandoffReason, SenderKind

BOT_SHARE = 0.5  # of the generated conversations, the bot took part in this share
RESOLVED_SHARE = 0.35  # of those, resolved by the bot
ASSUMED_SHARE = 0.3  # of the bot's resolutions, assumed (the visitor went quiet) rather than confirmed

# Why the others were handed off, with weights.
HANDOFF_REASONS = [
    (HandoffReason.LOW_CONFIDENCE, 50),
    (HandoffReason.ASKED_FOR_HUMAN, 28),
    (HandoffReason.NOT_HELPFUL, 15),
    (HandoffReason.AGENT_TOOK_OVER, 5),
    (HandoffReason.BOT_ERROR, 2),
]


@dataclass(frozen=True)
class Answered:
    question: str
    slug: str
    title: str
    snippet: str


ANSWERED_EN = [
    Answered(
        "how do i track my parcel?",
        "track-order",
        "Track your order",
        "As soon as your parcel leaves the roastery we send a shipping confirmation email with a tracking link.",
    ),
    Answered(
        "what payment options do you have",
        "payment-methods",
        "Which payment methods do you accept?",
        "We accept iDEAL, Bancontact, Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay,"
        " Klarna and Northwind gift cards.",
    ),
    Answered(
        "forgot my password",
        "reset-password",
        "I forgot my password or can't log in",
        "On the login page, choose Forgot password? and enter your email address. The reset link works for 60 minutes.",
    ),
    Answered(
        "how much is shipping to germany",
        "shipping-costs-and-times",
        "Shipping costs and delivery times",
        "Belgium, Luxembourg and Germany (DHL): €6.95, free from €60, 1-3 business days after dispatch.",
    ),
    Answered(
        "can I pause my subscription while on holiday",
        "subscription-pause-skip-cancel",
        "Pause, skip or cancel a subscription",
        "Go to Account → Subscriptions to skip the next delivery, pause for 2 to 12 weeks, or cancel with no fee.",
    ),
    Answered(
        "how should I store the beans",
        "storing-coffee",
        "Storing coffee and keeping it fresh",
        "Keep coffee in its original bag, closed, in a cool, dark cupboard; don't keep it in the fridge.",
    ),
]

ANSWERED_ZH = [
    Answered(
        "我的快递到哪了",
        "track-order",
        "查询订单物流",
        "包裹一离开烘焙厂，我们就会给你发一封发货通知邮件，里面有物流追踪链接。",
    ),
    Answered(
        "忘记密码怎么办",
        "reset-password",
        "忘记密码或无法登录",
        "在登录页面点击“忘记密码？”，输入你的邮箱地址。重置链接有效期 60 分钟。",
    ),
    Answered(
        "你们支持哪些付款方式",
        "payment-methods",
        "支持哪些付款方式？",
        "我们支持 iDEAL、Bancontact、Visa、Mastercard、American Express、PayPal、"
        "Apple Pay、Google Pay、Klarna 和礼品卡。",
    ),
]

ASK_FOR_HUMAN = {"en": "can I talk to a person please", "zh": "转人工"}
NOT_HELPFUL_FOLLOW_UP = {"en": "that's not what I asked", "zh": "这不是我问的"}


@dataclass(frozen=True)
class BotPart:
    """The bot's part in one conversation: ``reason`` None means the bot resolved it."""

    reason: str | None
    answered: Answered | None  # the article it answered with, if it answered
    question: str  # the visitor's first message
    helpful: bool | None  # the visitor's "Did that help?"
    assumed: bool = False  # a resolution assumed from silence


def bot_part(rng: random.Random, *, chinese: bool, topic_question: str) -> BotPart | None:
    """Whether and how the bot took part in a generated conversation."""
    if rng.random() >= BOT_SHARE:
        return None
    answered = rng.choice(ANSWERED_ZH if chinese else ANSWERED_EN)
    if rng.random() < RESOLVED_SHARE:
        assumed = rng.random() < ASSUMED_SHARE
        return BotPart(None, answered, answered.question, None if assumed else True, assumed=assumed)
    reason = rng.choices([r for r, _ in HANDOFF_REASONS], weights=[w for _, w in HANDOFF_REASONS])[0]
    if reason in (HandoffReason.LOW_CONFIDENCE, HandoffReason.BOT_ERROR):
        # The demo history's topics (clothes, bags, invoices) are mostly not in the coffee
        # shop's knowledge base: what the bot could not answer, grouped in the reports.
        return BotPart(reason, None, topic_question, None)
    return BotPart(reason, answered, topic_question, False if reason == HandoffReason.NOT_HELPFUL else None)


def answer_record(answered: Answered, *, chinese: bool, helpful: bool | None, public_url: str) -> dict:
    """The ``bot_answer`` a bot's message carries (as chat.services.bot_reply stores it)."""
    locale = "zh-hans" if chinese else "en"
    return {
        "slug": answered.slug,
        "title": answered.title,
        "url": f"{public_url.rstrip('/')}/help/{locale}/{answered.slug}/",
        "locale": locale,
        "helpful": helpful,
    }


def bot_entries(
    part: BotPart, *, created: datetime, chinese: bool, public_url: str, rng: random.Random
) -> tuple[list[tuple], datetime]:
    """The transcript's opening while the bot held the conversation, as the history's entries
    ``(at, sender kind, user, text, private, bot answer)``, and when the bot let go (or resolved)."""
    entries: list[tuple] = [(created, SenderKind.CONTACT, None, part.question, False, None)]
    at = created
    if part.answered is not None:
        at += timedelta(seconds=rng.randint(1, 3))
        answer = answer_record(part.answered, chinese=chinese, helpful=part.helpful, public_url=public_url)
        entries.append((at, SenderKind.BOT, None, part.answered.snippet, False, answer))
        follow_up = {HandoffReason.ASKED_FOR_HUMAN: ASK_FOR_HUMAN, HandoffReason.NOT_HELPFUL: NOT_HELPFUL_FOLLOW_UP}
        if part.reason in follow_up:
            at += timedelta(seconds=rng.randint(10, 40))
            text = follow_up[part.reason]["zh" if chinese else "en"]
            entries.append((at, SenderKind.CONTACT, None, text, False, None))
    return entries, at + timedelta(seconds=1)


def bot_events(conversation, part: BotPart, entries: list[tuple], *, ended: datetime, agent) -> list:
    """The bot's audit events for one conversation (unsaved ConversationEvent rows)."""
    events = []
    answer = next(((e[0], seq, e[5]) for seq, e in enumerate(entries, start=1) if e[5]), None)
    if answer is not None:
        at, seq, record = answer
        article = {k: record[k] for k in ("slug", "title", "url", "locale")}
        events.append(_event(conversation, EventType.BOT_ANSWERED, ActorKind.BOT, at, {"seq": seq, "article": article}))
        if part.helpful is not None:
            kind = EventType.BOT_HELPFUL if part.helpful else EventType.BOT_NOT_HELPFUL
            events.append(_event(conversation, kind, ActorKind.CONTACT, at + timedelta(seconds=8), {"seq": seq}))
    if part.reason is None:
        events.append(_event(conversation, EventType.BOT_RESOLVED, ActorKind.BOT, ended, {"assumed": part.assumed}))
    else:
        actor = {HandoffReason.ASKED_FOR_HUMAN: ActorKind.CONTACT, HandoffReason.AGENT_TOOK_OVER: ActorKind.AGENT}
        articles = [answer[2]] if answer else []
        row = _event(conversation, EventType.HANDED_OFF, actor.get(part.reason, ActorKind.BOT), ended, {})
        row.payload = {"reason": part.reason, "articles": articles}
        row.actor_user = agent if part.reason == HandoffReason.AGENT_TOOK_OVER else None
        events.append(row)
    return events


def handoff_field(part: BotPart, entries: list[tuple], at: datetime) -> dict | None:
    """``Conversation.handoff`` as chat.services.bot records it; None when the bot resolved it."""
    if part.reason is None:
        return None
    articles = [e[5] for e in entries if e[5]]
    return {"reason": part.reason, "articles": articles, "at": at.isoformat()}


def _event(conversation, kind: str, actor: str, at: datetime, payload: dict):
    from chat.models import ConversationEvent

    return ConversationEvent(conversation=conversation, type=kind, actor_kind=actor, payload=payload, created_at=at)
