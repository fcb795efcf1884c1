"""What retrieval reads from an article: its passages, its summary, its search terms.

A sentence encoder compares sentences best with sentences, so an article is embedded as several
passages (the title, the title with the opening, then each sentence of the body) and a question
is scored against the closest of them. The summary is the opening of the body, cut at a sentence
end: the bot's short answer and the help centre's excerpt.
"""

# ruff: noqa: RUF001  (Chinese sentence ends are full-width)
from __future__ import annotations

import re

from chat.segmentation import search_terms
from knowledge.markdown import plain_text

# Sentence ends in either language; Chinese ends need no space after them.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？；])|\n+")
MAX_PASSAGES = 24
SUMMARY_CHARS = 280


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and len(s.strip()) > 1]


def passages(title: str, body: str) -> list[str]:
    """The texts embedded for an article, most telling first; at most MAX_PASSAGES."""
    text = plain_text(body)
    parts = sentences(text)
    opening = " ".join(parts[:2])
    result = [title.strip(), f"{title.strip()}. {opening}".strip()]
    result.extend(parts)
    seen: set[str] = set()
    unique = [p for p in result if p and not (p in seen or seen.add(p))]
    return unique[:MAX_PASSAGES]


def summary(body: str, limit: int = SUMMARY_CHARS) -> str:
    """The opening paragraph, cut at the last sentence end that fits in ``limit`` characters."""
    text = plain_text(body)
    first = text.split("\n\n", 1)[0].replace("\n", " ").strip()
    if len(first) <= limit:
        return first
    cut = first[:limit]
    ends = [m.end() for m in re.finditer(r"[.!?。！？](?=\s|$)|[。！？]", cut)]
    if ends and ends[-1] > limit // 3:
        return cut[: ends[-1]].strip()
    return cut.rsplit(" ", 1)[0].rstrip(",;:，；") + "…"


def article_terms(title: str, body: str, category: str = "") -> list[str]:
    """Search terms of an article; the title counts twice, as a title says what the article is about."""
    title_terms = search_terms(title)
    return title_terms + title_terms + search_terms(category) + search_terms(plain_text(body))
