# ruff: noqa: RUF001  (Chinese text takes full-width punctuation)
"""The bot's decision core: answer with confidence, otherwise hand off with a reason; never fail silent."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import override_settings

from bot.answering import Answer, Handoff, after_feedback, decide
from bot.choices import HandoffReason
from knowledge import encoder as encoder_module
from knowledge.index import KnowledgeIndex, build_from_rows, forget_live_index, indexed_article
from knowledge.selectors import articles_for_index

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text",
    ["I want to talk to a human", "agent please", "Can I speak with someone?", "转人工", "我要人工客服", "找真人"],
)
def test_asking_for_a_person_hands_off(kb, text):
    assert decide(question=text, locale="en") == Handoff(HandoffReason.ASKED_FOR_HUMAN)


def test_a_confident_answer_has_a_short_answer_and_a_link_in_the_visitors_language(kb):
    answer = decide(question="I want my money back for my order", locale="en", llm=False)
    assert isinstance(answer, Answer) and answer.slug == "refund-policy" and answer.locale == "en"
    assert answer.text == answer.snippet and answer.snippet.startswith("You can ask for a refund within 30 days")
    assert answer.url.endswith("/help/en/refund-policy/")
    chinese = decide(question="我想退货退款，钱怎么退回来", locale="zh-CN", llm=False)
    assert isinstance(chinese, Answer) and (chinese.slug, chinese.locale) == ("refund-policy", "zh-hans")


def test_a_chinese_question_finds_an_english_only_article(kb):
    answer = decide(question="忘记密码了，怎么重新设置登录密码", locale="zh-hans", llm=False)
    assert isinstance(answer, Answer) and (answer.slug, answer.locale) == ("reset-password", "en")


@pytest.mark.parametrize("text", ["What's the weather like in Paris tomorrow?", "给我讲个笑话吧", "ok", ""])
def test_off_topic_or_empty_hands_off_for_low_confidence(kb, text):
    result = decide(question=text, locale="en", llm=False)
    assert isinstance(result, Handoff) and result.reason == HandoffReason.LOW_CONFIDENCE


def test_two_unhelpful_answers_in_a_row_hand_off(kb):
    count, handoff = after_feedback(helpful=False, not_helpful_in_row=0)
    assert (count, handoff) == (1, None)
    assert after_feedback(helpful=True, not_helpful_in_row=1) == (0, None)
    count, handoff = after_feedback(helpful=False, not_helpful_in_row=1)
    assert count == 2 and handoff == Handoff(HandoffReason.NOT_HELPFUL)
    assert decide(question="how do I get a refund", locale="en", not_helpful_in_row=2) == handoff


def test_a_failure_inside_the_bot_hands_off(kb):
    """Vectors of the wrong size (a corrupt store) make retrieval raise: the bot hands off, not silence."""
    encoder = encoder_module.get_encoder()
    broken = indexed_article(slug="x", locale="en", title="Refunds", body="Refunds.", vectors=np.ones((2, 7)))
    index = KnowledgeIndex([broken], encoder)
    assert decide(question="refund", locale="en", index=index) == Handoff(HandoffReason.BOT_ERROR)


def test_an_encoder_that_cannot_load_falls_back_to_keywords(kb):
    with override_settings(KNOWLEDGE={"ENCODER": "knowledge.encoder.NoSuchEncoder"}):
        encoder_module.forget()
        forget_live_index()
        try:
            assert encoder_module.get_encoder() is None
            index = build_from_rows(articles_for_index(), None)
            assert not index.semantic
            # Words that the article has: answered from keywords.
            answer = decide(question="reset password", locale="en", index=index, llm=False)
            assert isinstance(answer, Answer) and answer.slug == "reset-password"
            # A reworded question needs meaning, which is gone: a person takes it.
            result = decide(question="I can't get into my account anymore", locale="en", index=index)
            assert result == Handoff(HandoffReason.LOW_CONFIDENCE, score=result.score)
            # The live path (the process's index) works the same.
            assert decide(question="reset password", locale="en", llm=False).slug == "reset-password"
        finally:
            encoder_module.forget()
            forget_live_index()
