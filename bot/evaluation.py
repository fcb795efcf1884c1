"""The figures of a bot evaluation: counts and answer times per locale and overall."""

from __future__ import annotations

import math
from dataclasses import dataclass


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
