"""How retrieval's signals become one rank, and which article each signal prefers.

Each signal is put on a common scale first (minus its mean, over its spread, both measured over
every question-article pair of the tuning questions), because the encoders' cosines live on very
different scales: USE's spread over 0.1 to 0.5, e5's over 0.75 to 0.9. The constants are fixed,
not taken per question, so that a knowledge base of two articles ranks like one of two hundred.

The weights were chosen on the tuning half (tests/bot_eval/data/questions_tune.jsonl) by a grid
over a few values per signal; docs/bot.md has the measurements on both halves. e5's whole-article
cosine weighs most because it was the best single signal on English questions, USE's on Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping

# signal: (mean, spread) over the tuning questions x the evaluation articles.
SCALE: dict[str, tuple[float, float]] = {
    "use_whole": (0.126, 0.113),
    "use_top2": (0.217, 0.105),
    "e5_whole": (0.826, 0.034),
    "e5_max": (0.843, 0.034),
    "keyword": (0.149, 0.245),
}

# The weights with e5 loaded, and with USE alone (the blend's fallback).
WEIGHTS_BLENDED = {"use_whole": 0.5, "use_top2": 0.5, "e5_whole": 2.0, "e5_max": 1.0, "keyword": 1.0}
WEIGHTS_USE = {"use_whole": 1.0, "use_top2": 0.5, "keyword": 1.0}

# The signals whose first choice counts towards a hit's ``agreement``.
AGREEMENT_SIGNALS = ("use_whole", "use_top2", "e5_whole", "e5_max", "keyword")


def weights_for(signals: set[str], *, keyword_weight: float | None = None) -> dict[str, float]:
    """The weights for the signals this index has; ``keyword_weight`` overrides the keyword's
    (0 ranks by meaning alone, for comparisons in bot_eval)."""
    weights = dict(WEIGHTS_BLENDED if "e5_whole" in signals else WEIGHTS_USE)
    if keyword_weight is not None:
        weights["keyword"] = keyword_weight
    return {name: weight for name, weight in weights.items() if name in signals}


def rank(signals: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The weighted mean of the scaled signals (about 0 for a typical unrelated article)."""
    total = sum(weights.values()) or 1.0
    return sum(weight * (signals[name] - SCALE[name][0]) / SCALE[name][1] for name, weight in weights.items()) / total
