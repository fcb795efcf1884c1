"""Retrieval: an in-process index of published articles, searched by meaning and by keywords.

The one interface the help centre, the widget's search and the bot use is
``KnowledgeIndex.search(question, locale=...) -> [Hit]``, best first, one hit per article (a slug:
its translations count as one article, shown in the question's language when it exists).

Each hit carries three signals (vectors are computed when the article is saved, so a question
costs one encoder call):

- ``semantic``: how close the question's embedding is to the article's, a cosine blending the
  whole article as one text (weight 2) with the mean of its two closest passages (weight 1);
- ``keyword``: the article's BM25 score over segmented terms, relative to the best one (0-1);
- ``lexical``: the share of the question's rare words that the article contains (0-1).

The rank is ``(3 * semantic + keyword) / 4`` (docs/bot.md has the measurements behind it). Without
an encoder the index runs on keywords alone, ranked by BM25, and says so (``semantic`` is False)
so that the bot can be stricter. ``live_index()`` keeps one index per process and rebuilds it when the knowledge base's
version number moves.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from chat.segmentation import search_terms
from knowledge.choices import DEFAULT_LOCALE
from knowledge.encoder import Encoder, get_encoder
from knowledge.lexical import Bm25
from knowledge.markdown import plain_text
from knowledge.text import article_terms, passages, summary

# How much keyword rank counts beside meaning (chosen on the tuning questions: docs/bot.md).
LEXICAL_WEIGHT = 0.25


@dataclass(frozen=True, eq=False)
class IndexedArticle:
    slug: str
    locale: str
    title: str
    category: str
    summary: str
    terms: Counter
    vectors: np.ndarray | None = None
    id: int | None = None
    body: str = ""


@dataclass(frozen=True)
class Hit:
    slug: str
    article: IndexedArticle  # the version in the question's locale when there is one
    score: float
    semantic: float
    lexical: float
    keyword: float = 0.0
    whole: float = 0.0  # the whole article's cosine alone
    locales: tuple[str, ...] = field(default_factory=tuple)


# Names how vectors are laid out (whole article, then passages): stored vectors of another
# layout or encoder are recomputed when an index is built.
VECTOR_LAYOUT = "whole+passages.1"


def vectors_name(encoder: Encoder) -> str:
    return f"{encoder.name}/{VECTOR_LAYOUT}"


def article_vectors(encoder: Encoder, title: str, body: str) -> np.ndarray:
    """An article's embeddings (float32 rows): the whole article first, then its passages."""
    return encoder.encode([f"{title.strip()}. {plain_text(body)}", *passages(title, body)])


def pack(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype=np.float32).tobytes()


def unpack(data: bytes, dim: int) -> np.ndarray | None:
    if not data or len(data) % (4 * dim):
        return None
    return np.frombuffer(bytes(data), dtype=np.float32).reshape(-1, dim)


def indexed_article(
    *,
    slug: str,
    locale: str,
    title: str,
    body: str,
    category: str = "",
    vectors: np.ndarray | None = None,
    id: int | None = None,
) -> IndexedArticle:
    return IndexedArticle(
        slug=slug,
        locale=locale,
        title=title,
        category=category,
        summary=summary(body),
        terms=Counter(article_terms(title, body, category)),
        vectors=vectors,
        id=id,
        body=body,
    )


class KnowledgeIndex:
    def __init__(
        self, articles: list[IndexedArticle], encoder: Encoder | None, *, lexical_weight: float = LEXICAL_WEIGHT
    ) -> None:
        self.articles = list(articles)
        self.lexical_weight = lexical_weight
        self.encoder = encoder if encoder is not None and all(a.vectors is not None for a in self.articles) else None
        self.bm25 = Bm25([a.terms for a in self.articles])
        self._matrix, self._bounds = None, []
        if self.encoder is not None and self.articles:
            self._matrix = np.vstack([a.vectors for a in self.articles])
            ends = np.cumsum([len(a.vectors) for a in self.articles])
            self._bounds = list(zip([0, *ends[:-1]], ends, strict=True))

    @property
    def semantic(self) -> bool:
        return self.encoder is not None

    def __len__(self) -> int:
        return len(self.articles)

    def search(self, question: str, *, locale: str = DEFAULT_LOCALE, limit: int = 5) -> list[Hit]:
        if not self.articles or not question.strip():
            return []
        terms = search_terms(question)
        keyword = self.bm25.scores(terms)
        best_keyword = max(keyword) or 1.0
        semantic, whole = self._semantic_scores(question)
        by_slug: dict[str, list[int]] = {}
        for i, article in enumerate(self.articles):
            by_slug.setdefault(article.slug, []).append(i)
        hits = []
        for slug, members in by_slug.items():
            lexical = max(self.bm25.coverage(terms, i) for i in members)
            relative = max(keyword[i] for i in members) / best_keyword
            if semantic is not None:
                meaning = max(float(semantic[i]) for i in members)
                score = (1 - self.lexical_weight) * meaning + self.lexical_weight * relative
            else:
                meaning, score = 0.0, lexical
            shown = next((i for i in members if self.articles[i].locale == locale), None)
            if shown is None:
                shown = next((i for i in members if self.articles[i].locale == DEFAULT_LOCALE), members[0])
            hits.append(
                Hit(
                    slug=slug,
                    article=self.articles[shown],
                    score=score,
                    semantic=meaning,
                    lexical=lexical,
                    keyword=relative,
                    whole=max(float(whole[i]) for i in members) if whole is not None else 0.0,
                    locales=tuple(self.articles[i].locale for i in members),
                )
            )
        if semantic is not None:
            hits.sort(key=lambda h: (-h.score, -h.keyword, h.slug))
        else:
            hits.sort(key=lambda h: (-h.keyword, -h.score, h.slug))
            hits = [h for h in hits if h.keyword > 0]
        return hits[:limit]

    def _semantic_scores(self, question: str) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Per article: (2 x the whole article's cosine + the mean of its two closest passages) / 3,
        and the whole article's cosine alone."""
        if self._matrix is None:
            return None, None
        query = self.encoder.encode([question])[0]
        cosines = self._matrix @ query
        result = np.empty(len(self.articles), dtype=np.float32)
        for i, (start, end) in enumerate(self._bounds):
            parts = np.sort(cosines[start + 1 : end])[-2:]
            result[i] = (2 * cosines[start] + (parts.mean() if len(parts) else cosines[start])) / 3
        return result, cosines[[start for start, _ in self._bounds]]


# --- the process's live index ------------------------------------------------------------------

_live_lock = threading.Lock()
_live: dict[str, object] = {}


def live_index() -> KnowledgeIndex:
    """The published articles as an index, rebuilt when the knowledge base's version moves.

    Costs one small query per call to read the version (a random value set by every change); the
    rebuild reads the stored vectors (no encoding, unless another encoder made them).
    """
    from knowledge import selectors

    version = selectors.index_version()
    current = _live.get("index")
    if current is not None and _live.get("version") == version:
        return current  # type: ignore[return-value]
    with _live_lock:
        if _live.get("index") is None or _live.get("version") != version:
            _live["index"] = build_from_rows(selectors.articles_for_index(), get_encoder())
            _live["version"] = version
    return _live["index"]  # type: ignore[return-value]


def build_from_rows(rows, encoder: Encoder | None) -> KnowledgeIndex:
    """An index from Article rows; rows whose vectors came from another encoder are encoded here."""
    articles = []
    for row in rows:
        vectors = None
        if encoder is not None:
            if row.embedding_model == vectors_name(encoder):
                vectors = unpack(row.embedding, encoder.dim)
            if vectors is None:
                vectors = article_vectors(encoder, row.title, row.body)
        articles.append(
            indexed_article(
                slug=row.slug,
                locale=row.locale,
                title=row.title,
                body=row.body,
                category=row.category,
                vectors=vectors,
                id=row.id,
            )
        )
    return KnowledgeIndex(articles, encoder)


def forget_live_index() -> None:
    with _live_lock:
        _live.clear()
