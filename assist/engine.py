"""Suggested replies: candidates from three sources ranked by the knowledge base's retrieval.

No second retrieval stack: every candidate (a canned response, a published article, an agent's
reply from a past well-rated conversation) becomes a ``knowledge.index.IndexedArticle`` in one
``KnowledgeIndex``, so a visitor's message is scored with the same encoder, the same per-part
cosines, the same BM25 over jieba-segmented terms and the same fixed-scale rank as the bot's.

How each source is embedded (rows: the "whole" first, then passages):

- article: the rows the knowledge base already stored (reused, not re-encoded);
- canned response: its title and text, as an article would be;
- past reply: the *visitor's message it answered* as the whole row (a new question is best
  compared with an old question), then the reply's own passages.

Nothing here reads the database: ``assist.sources`` builds the candidates, the evaluation builds
them from files. Scoping (which inbox a candidate may be shown in) is a predicate the caller
passes, so the one index serves every agent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np

from chat.segmentation import has_cjk
from knowledge.encoder import Encoder
from knowledge.index import IndexedArticle, KnowledgeIndex, article_vectors, indexed_article
from knowledge.text import passages

CANNED, ARTICLE, REPLY = "canned", "article", "reply"
KINDS = (CANNED, ARTICLE, REPLY)

# A suggestion must rank above this (the rank's scale: about 0 for a typical unrelated
# candidate, knowledge/ranking.py). Chosen on the tuning half (docs/assist.md).
MIN_RANK = 0.5
# Hits read from the index before scoping and language filters keep the best three.
SEARCH_DEPTH = 10


@dataclass(frozen=True)
class Candidate:
    """One thing that could be suggested. ``key`` is unique: ``kind:identifier``."""

    key: str
    kind: str
    title: str
    text: str
    locale: str
    inbox_id: int | None = None  # None: any inbox (articles, global canned responses)
    question: str = ""  # a past reply: the visitor message it answered
    label: str = ""  # the evaluation's intent label; empty in production


@dataclass(frozen=True)
class Suggestion:
    key: str
    kind: str
    title: str
    text: str
    rank: float
    candidate: Candidate


def text_locale(text: str) -> str:
    """The language of a text, as the bot decides it (Chinese if it holds Han characters)."""
    return "zh-hans" if has_cjk(text) else "en"


def _vectors(encoder: Encoder, candidate: Candidate) -> np.ndarray:
    if candidate.kind == REPLY:
        return encoder.encode([candidate.question, *passages("", candidate.text)])
    return article_vectors(encoder, candidate.title, candidate.text)


def _indexed(encoder: Encoder | None, candidate: Candidate) -> IndexedArticle:
    title = candidate.question if candidate.kind == REPLY else candidate.title
    return indexed_article(
        slug=candidate.key,
        locale=candidate.locale,
        title=title,
        body=candidate.text,
        vectors=_vectors(encoder, candidate) if encoder is not None else None,
    )


class SuggestionIndex:
    """Candidates in one KnowledgeIndex; ``suggest`` returns the best few a predicate allows."""

    def __init__(
        self,
        candidates: Iterable[Candidate],
        encoder: Encoder | None,
        *,
        articles: Iterable[IndexedArticle] = (),
        article_candidates: dict[str, Candidate] | None = None,
    ) -> None:
        """``articles`` are already indexed knowledge-base rows (vectors reused); each becomes
        the candidate ``article:<slug>`` in its own locale."""
        self.by_key: dict[tuple[str, str], Candidate] = {}
        indexed = []
        for candidate in candidates:
            self.by_key[(candidate.key, candidate.locale)] = candidate
            indexed.append(_indexed(encoder, candidate))
        for article in articles:
            key = f"{ARTICLE}:{article.slug}"
            given = (article_candidates or {}).get(f"{key}/{article.locale}")
            self.by_key[(key, article.locale)] = given or Candidate(
                key=key, kind=ARTICLE, title=article.title, text=article.summary, locale=article.locale
            )
            indexed.append(replace(article, slug=key))
        self.index = KnowledgeIndex(indexed, encoder)

    def __len__(self) -> int:
        return len(self.index)

    def suggest(
        self,
        message: str,
        *,
        allowed: Callable[[Candidate], bool] = lambda c: True,
        limit: int = 3,
        min_rank: float | None = None,
    ) -> list[Suggestion]:
        """The best ``limit`` candidates for a visitor's ``message``, in its language, best first."""
        floor = MIN_RANK if min_rank is None else min_rank
        locale = text_locale(message)
        found: list[Suggestion] = []
        for hit in self.index.search(message, locale=locale, limit=SEARCH_DEPTH):
            candidate = self.by_key.get((hit.slug, hit.article.locale))
            if candidate is None or candidate.locale != locale or not allowed(candidate):
                continue
            if self.index.semantic and hit.rank < floor:
                break
            found.append(
                Suggestion(candidate.key, candidate.kind, candidate.title, candidate.text, hit.rank, candidate)
            )
            if len(found) == limit:
                break
        return found
