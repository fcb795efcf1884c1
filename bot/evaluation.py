"""The bot's evaluation: a throwaway index from a JSON Lines file, the question sets, and the
figures (counts and answer times per locale and overall). Used by ``bot_eval`` and
``bot_calibrate``; nothing here reads or writes the database."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError

from knowledge.encoder import get_encoder
from knowledge.index import KnowledgeIndex, article_vectors, indexed_article
from knowledge.services import parse_jsonl

# Retrieval methods to compare: the keyword weight (None: the default blend), or no encoder.
RETRIEVERS: dict[str, float | bool | None] = {"hybrid": None, "semantic": 0.0, "bm25": False}


@dataclass(frozen=True)
class Question:
    id: object
    q: str
    locale: str
    expected: str | None


def read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}")


def read_questions(path: str) -> list[Question]:
    questions = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
            questions.append(Question(q.get("id", number), q["q"], q.get("locale", "en"), q.get("expected")))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise CommandError(f"{path} line {number}: needs id, q, locale and expected.")
    return questions


def load_index(path: str, *, retriever: str = "hybrid") -> tuple[KnowledgeIndex, float]:
    """The articles of ``path`` as an in-memory index, and the seconds it took to build."""
    started = time.perf_counter()
    rows = parse_jsonl(read_lines(path))
    setting = RETRIEVERS[retriever]
    encoder = get_encoder() if setting is not False else None
    if setting is not False and encoder is None:
        raise CommandError("The sentence encoder did not load (see the log); try --retriever bm25.")
    articles = [
        indexed_article(**row, vectors=article_vectors(encoder, row["title"], row["body"]) if encoder else None)
        for row in rows
    ]
    keyword_weight = setting if isinstance(setting, float) else None
    index = KnowledgeIndex(articles, encoder, keyword_weight=keyword_weight)
    return index, time.perf_counter() - started


@dataclass(frozen=True)
class Outcome:
    id: object
    locale: str
    expected: str | None  # None: the bot should hand off
    answer: str | None  # None: it handed off
    score: float | None
    ms: float
    answer_locale: str | None = None


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 100 values is the 99th smallest)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def figures(outcomes: list[Outcome]) -> dict:
    on_topic = [o for o in outcomes if o.expected is not None]
    off_topic = [o for o in outcomes if o.expected is None]
    correct = sum(1 for o in on_topic if o.answer == o.expected)
    wrong = sum(1 for o in outcomes if o.answer is not None and o.answer != o.expected)
    off_handoffs = sum(1 for o in off_topic if o.answer is None)
    own_locale = sum(1 for o in on_topic if o.answer == o.expected and o.answer_locale == o.locale)
    times = [o.ms for o in outcomes]
    return {
        "questions": len(outcomes),
        "on_topic": len(on_topic),
        "off_topic": len(off_topic),
        "answered": sum(1 for o in outcomes if o.answer is not None),
        "correct": correct,
        "wrong": wrong,
        "handoffs_off_topic": off_handoffs,
        "correct_in_own_locale": own_locale,
        "correct_rate": round(correct / len(on_topic), 4) if on_topic else None,
        "wrong_rate": round(wrong / len(outcomes), 4) if outcomes else None,
        "off_topic_handoff_rate": round(off_handoffs / len(off_topic), 4) if off_topic else None,
        "p50_ms": round(percentile(times, 0.5), 2),
        "p99_ms": round(percentile(times, 0.99), 2),
    }


def summarize(outcomes: list[Outcome]) -> dict:
    locales = sorted({o.locale for o in outcomes})
    return {
        "overall": figures(outcomes),
        "locales": {locale: figures([o for o in outcomes if o.locale == locale]) for locale in locales},
    }
