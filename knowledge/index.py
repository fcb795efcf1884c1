"""Retrieval: an in-process index of published articles, searched by meaning and by keywords.

The one interface the help centre, the widget's search and the bot use is
``KnowledgeIndex.search(question, locale=...) -> [Hit]``, best first, one hit per article (a slug:
its translations count as one article, shown in the question's language when it exists).

Vectors are computed when an article is saved (its whole text, then each passage), so a question
costs one encoder call. Each hit carries the signals behind it (``signals``):

- for each encoder part (``use``, ``e5``): the whole article's cosine (``*_whole``), the mean of
  the two closest passages (``*_top2``) and the closest passage (``*_max``);
- ``keyword``: the article's BM25 score over segmented terms, relative to the best one (0-1);

plus ``lexical``, the share of the question's rare words that the article contains (0-1), and
``agreement``, how many signals rank the article first. Hits are ordered by ``rank``, a weighted
mean of the scaled signals (knowledge/ranking.py). Without an encoder the index runs on keywords
alone, ranked by BM25, and says so (``semantic`` is False) so that the bot can be stricter.
``live_index()`` keeps one index per process and rebuilds it when the knowledge base's version
number moves.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np

from chat.segmentation import search_terms
from knowledge import ranking
from knowledge.choices import DEFAULT_LOCALE
from knowledge.encoder import Encoder, get_encoder
from knowledge.lexical import Bm25
from knowledge.markdown import plain_text
from knowledge.text import article_terms, passages, summary

# The first release's rank, (3 x USE meaning + keyword rank) / 4, kept as ``Hit.score``: the help
# centre's search floor and the reports' scores are on its scale.
LEGACY_KEYWORD_WEIGHT = 0.25


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
    rank: float = 0.0  # the order of the hits: knowledge/ranking.py
    signals: dict[str, float] = field(default_factory=dict)
    agreement: int = 0  # how many signals rank this article first


# Names how vectors are laid out (whole article, then passages): stored vectors of another
# layout or encoder are recomputed when an index is built.
VECTOR_LAYOUT = "whole+passages.2"


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
        self, articles: list[IndexedArticle], encoder: Encoder | None, *, keyword_weight: float | None = None
    ) -> None:
        self.articles = list(articles)
        self.encoder = encoder if encoder is not None and all(a.vectors is not None for a in self.articles) else None
        self.bm25 = Bm25([a.terms for a in self.articles])
        self._matrix, self._bounds = None, []
        self._by_slug: dict[str, list[int]] = {}
        for i, article in enumerate(self.articles):
            self._by_slug.setdefault(article.slug, []).append(i)
        names = {"keyword"}
        if self.encoder is not None and self.articles:
            self._matrix = np.vstack([a.vectors for a in self.articles])
            ends = np.cumsum([len(a.vectors) for a in self.articles])
            self._bounds = list(zip([0, *ends[:-1]], ends, strict=True))
            for part, _ in self.encoder.parts:
                names |= {f"{part}_whole", f"{part}_top2", f"{part}_max"}
        self.weights = ranking.weights_for(names, keyword_weight=keyword_weight)

    @property
    def semantic(self) -> bool:
        return self.encoder is not None

    @property
    def mode(self) -> str:
        """Which signals this index has: ``keywords``, or the encoder parts joined (``use+e5``)."""
        if self.encoder is None:
            return "keywords"
        return "+".join(part for part, _ in self.encoder.parts)

    def __len__(self) -> int:
        return len(self.articles)

    def search(self, question: str, *, locale: str = DEFAULT_LOCALE, limit: int = 5) -> list[Hit]:
        if not self.articles or not question.strip():
            return []
        terms = search_terms(question)
        keyword = self.bm25.scores(terms)
        best_keyword = max(keyword) or 1.0
        meaning = self._meaning(question)
        hits = []
        for slug, members in self._by_slug.items():
            signals = {"keyword": max(keyword[i] for i in members) / best_keyword}
            for name, values in meaning.items():
                signals[name] = max(float(values[i]) for i in members)
            lexical = max(self.bm25.coverage(terms, i) for i in members)
            if meaning:
                first = self.encoder.parts[0][0]
                legacy = (2 * signals[f"{first}_whole"] + signals[f"{first}_top2"]) / 3
                score = (1 - LEGACY_KEYWORD_WEIGHT) * legacy + LEGACY_KEYWORD_WEIGHT * signals["keyword"]
                order = ranking.rank(signals, self.weights)
            else:
                legacy, score, order = 0.0, lexical, signals["keyword"]
            hits.append(
                Hit(
                    slug=slug,
                    article=self._shown(members, locale),
                    score=score,
                    semantic=legacy,
                    lexical=lexical,
                    keyword=signals["keyword"],
                    whole=signals.get("use_whole", 0.0),
                    locales=tuple(self.articles[i].locale for i in members),
                    rank=order,
                    signals=signals,
                )
            )
        if meaning:
            hits.sort(key=lambda h: (-h.rank, -h.keyword, h.slug))
        else:
            hits.sort(key=lambda h: (-h.keyword, -h.score, h.slug))
            hits = [h for h in hits if h.keyword > 0]
        firsts = _firsts(hits)
        return [replace(h, agreement=sum(1 for slug in firsts.values() if slug == h.slug)) for h in hits[:limit]]

    def _shown(self, members: list[int], locale: str) -> IndexedArticle:
        """The version in the question's locale, else the default locale's, else any."""
        for wanted in (locale, DEFAULT_LOCALE):
            for i in members:
                if self.articles[i].locale == wanted:
                    return self.articles[i]
        return self.articles[members[0]]

    def _meaning(self, question: str) -> dict[str, np.ndarray]:
        """Per article and encoder part: the whole article's cosine, the mean of the two closest
        passages and the closest passage. One encoder call per question."""
        if self._matrix is None:
            return {}
        query = self.encoder.encode_query(question)
        result: dict[str, np.ndarray] = {}
        offset = 0
        for part, width in self.encoder.parts:
            cosines = self._matrix[:, offset : offset + width] @ query[offset : offset + width]
            offset += width
            whole, top2, best = (np.empty(len(self.articles), dtype=np.float32) for _ in range(3))
            for i, (start, end) in enumerate(self._bounds):
                closest = np.sort(cosines[start + 1 : end])[-2:] if end - start > 1 else cosines[start : start + 1]
                whole[i], top2[i], best[i] = cosines[start], closest.mean(), closest[-1]
            result.update({f"{part}_whole": whole, f"{part}_top2": top2, f"{part}_max": best})
        return result


def _firsts(hits: list[Hit]) -> dict[str, str]:
    """Per signal, the article it ranks first. A hit's ``agreement`` counts these: independent
    signals agreeing is a sign of a real match, one signal alone is often a coincidence of words
    or of phrasing."""
    return {
        name: max(hits, key=lambda h: h.signals.get(name, 0.0)).slug
        for name in ranking.AGREEMENT_SIGNALS
        if hits and name in hits[0].signals
    }


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
