"""The bot's decision core: a visitor's message in, an Answer or a Handoff out.

The rules (docs/bot.md), in order:

1. The visitor asks for a person ("human", "agent", "人工", "转人工"...): hand off.
2. Two answers in a row were not helpful: hand off (``after_feedback`` says so at the second "No").
3. Retrieval finds an article with confidence (``bot.policy``): answer with its summary (or the
   language model's wording of it, when one is configured) and a link; otherwise hand off.
4. Anything fails, the encoder, the index, the database, the model: hand off. The bot fails open
   to humans, never to silence.

It is synchronous and takes its time in milliseconds, but it reads the database (the index's
version) and may call a model: run it in a worker or a thread of its own, never on the socket's
event loop or the thread that carries live chat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot import policy
from bot.choices import HandoffReason
from bot.intents import asks_for_human
from bot.llm import LlmConfig, LlmError, NoAnswer, compose
from knowledge.choices import locale_for
from knowledge.index import Hit, KnowledgeIndex, live_index

log = logging.getLogger(__name__)

NOT_HELPFUL_LIMIT = 2


@dataclass(frozen=True)
class Answer:
    slug: str
    locale: str
    title: str
    url: str
    snippet: str  # the article's opening: the short answer
    text: str  # what the bot says: the snippet, or the language model's wording
    score: float
    article_id: int | None = None


@dataclass(frozen=True)
class Handoff:
    reason: HandoffReason
    score: float | None = None


def decide(
    *,
    question: str,
    locale: str,
    index: KnowledgeIndex | None = None,
    not_helpful_in_row: int = 0,
    llm: LlmConfig | bool | None = None,
    contact_names: tuple[str, ...] = (),
) -> Answer | Handoff:
    """Answer ``question`` from the knowledge base, or hand off with a reason.

    ``index`` is the scope to answer from (the process's live index when None; bot_eval passes
    its own). ``llm`` is the model to word answers with: None reads the settings, False turns it off.
    """
    try:
        if asks_for_human(question):
            return Handoff(HandoffReason.ASKED_FOR_HUMAN)
        if not_helpful_in_row >= NOT_HELPFUL_LIMIT:
            return Handoff(HandoffReason.NOT_HELPFUL)
        locale = locale_for(locale)
        index = live_index() if index is None else index
        hits = index.search(question, locale=locale, limit=3)
        if not policy.confident(hits, mode=index.mode):
            return Handoff(HandoffReason.LOW_CONFIDENCE, score=hits[0].score if hits else None)
        return _answer(hits[0], question=question, locale=locale, llm=llm, names=contact_names)
    except Exception:
        log.exception("The bot failed; handing off")
        return Handoff(HandoffReason.BOT_ERROR)


def _answer(hit: Hit, *, question: str, locale: str, llm, names) -> Answer | Handoff:
    from knowledge.payloads import article_url

    article = hit.article
    text = article.summary
    config = LlmConfig.from_settings() if llm is None else (llm or None)
    if config is not None:
        try:
            text = compose(
                question=question,
                articles=_sources(hit),
                locale=locale,
                config=config,
                names=names,
            )
        except NoAnswer:
            return Handoff(HandoffReason.LOW_CONFIDENCE, score=hit.score)
        except LlmError:
            log.warning("The language model failed; handing off", exc_info=True)
            return Handoff(HandoffReason.BOT_ERROR, score=hit.score)
    return Answer(
        slug=article.slug,
        locale=article.locale,
        title=article.title,
        url=article_url(slug=article.slug, locale=article.locale),
        snippet=article.summary,
        text=text,
        score=hit.score,
        article_id=article.id,
    )


def _sources(hit: Hit) -> list[tuple[str, str]]:
    return [(hit.article.title, hit.article.body or hit.article.summary)]


def after_feedback(*, helpful: bool, not_helpful_in_row: int) -> tuple[int, Handoff | None]:
    """The visitor's "Did that help?": the new count of unhelpful answers in a row, and a handoff
    when it reaches two. A "Yes" resets the count."""
    count = 0 if helpful else not_helpful_in_row + 1
    if count >= NOT_HELPFUL_LIMIT:
        return count, Handoff(HandoffReason.NOT_HELPFUL)
    return count, None
