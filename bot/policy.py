"""When the bot is confident enough to answer.

With an encoder whose index mode has a fitted model in bot/calibration.json (the default blend of
USE and e5, or USE alone), the answer is given when the model's probability that the best article
is right reaches the threshold chosen with it (bot/calibration.py).

Otherwise (keywords alone, or an encoder without a fitted model) hand-set thresholds decide,
chosen on the tuning questions (tests/bot_eval/data/questions_tune.jsonl) and written as rules a
person can read, not fitted to any one question (docs/bot.md has the measurements):

- the best article's rank (meaning and keywords) must be high enough, and clear of the
  runner-up's by a margin, since two near-equal candidates mean the bot is guessing;
- meaning and words must agree: the article contains a good share of the question's rare words,
  or, when it cannot (a Chinese question, an English-only article), the meaning alone is close;
- without the encoder (keyword fallback) only a question whose rare words the article covers
  almost entirely is answered.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import calibration
from knowledge.index import Hit

# Chosen on the tuning half (docs/bot.md); neighbouring values give nearly the same figures.
MIN_SCORE = 0.48  # the rank (3 x meaning + keyword rank) / 4
MIN_MARGIN = 0.02  # over the runner-up article's rank
MIN_COVERAGE = 0.4  # words agree: share of the question's rare words in the article ...
MIN_WHOLE = 0.5  # ... or the meaning alone is close (a Chinese question to an English-only article)
KEYWORD_MIN_COVERAGE = 0.8
KEYWORD_MIN_MARGIN = 0.2


def confident(hits: Sequence[Hit], *, mode: str) -> bool:
    """``mode`` is the index's (``KnowledgeIndex.mode``): which encoders made its vectors."""
    if not hits:
        return False
    model = calibration.model_for(mode) if mode != "keywords" else None
    if model is not None:
        return calibration.probability(hits, model) >= model["threshold"]
    return _rules(hits, semantic=mode != "keywords")


def _rules(hits: Sequence[Hit], *, semantic: bool) -> bool:
    top = hits[0]
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    if not semantic:
        return top.lexical >= KEYWORD_MIN_COVERAGE and top.score - runner_up >= KEYWORD_MIN_MARGIN
    agree = top.lexical >= MIN_COVERAGE or top.whole >= MIN_WHOLE
    return top.score >= MIN_SCORE and top.score - runner_up >= MIN_MARGIN and agree
