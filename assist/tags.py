"""Tag suggestions: a conversation's visitor messages against the sentences managers wrote for
each tag, scored by the knowledge base's retrieval (each tag is an ``IndexedArticle`` whose title
is its name and whose body is its sentence, in one ``KnowledgeIndex``).

The index is per process, rebuilt when a description changes; the console shows the best
``LIMIT`` tags (``MIN_RANK`` below says why there is no real floor) that the conversation does
not have yet, and the agent confirms one with a click.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from knowledge.encoder import Encoder, get_encoder
from knowledge.index import KnowledgeIndex, article_vectors, indexed_article

# Effectively no floor: a suggested tag costs the agent nothing unless clicked, and a Chinese
# message scored against an English sentence ranks below zero (no shared keywords), so any floor
# that keeps English noise out also hides nearly every Chinese suggestion (docs/assist.md).
MIN_RANK = -10.0
LIMIT = 2


def tag_index(described: Iterable[tuple[str, str]], encoder: Encoder | None) -> KnowledgeIndex:
    """(tag name, sentence) pairs as an index."""
    articles = [
        indexed_article(
            slug=name,
            locale="en",
            title=name.replace("-", " "),
            body=sentence,
            vectors=article_vectors(encoder, name.replace("-", " "), sentence) if encoder is not None else None,
        )
        for name, sentence in described
    ]
    return KnowledgeIndex(articles, encoder)


def suggest_tags(
    index: KnowledgeIndex, text: str, *, limit: int = LIMIT, min_rank: float = MIN_RANK
) -> list[tuple[str, float]]:
    """(tag name, rank) of the best tags for ``text``, best first."""
    hits = index.search(text, limit=limit)
    return [(h.slug, h.rank) for h in hits if not index.semantic or h.rank >= min_rank]


_lock = threading.Lock()
_held: dict[str, object] = {}


def live_tag_index() -> KnowledgeIndex:
    """The described tags as an index, rebuilt when a description changes."""
    from assist.models import TagDescription

    rows = tuple(TagDescription.objects.order_by("tag__name").values_list("tag__name", "sentence"))
    if _held.get("rows") != rows:
        with _lock:
            if _held.get("rows") != rows:
                _held["index"] = tag_index(rows, get_encoder())
                _held["rows"] = rows
    return _held["index"]  # type: ignore[return-value]


def forget() -> None:
    with _lock:
        _held.clear()
