"""When the bot is confident enough to answer: thresholds on retrieval's signals.

Chosen on the tuning questions (tests/bot_eval/data/questions_tune.jsonl) and written as rules a
person can read, not fitted to any one question (docs/bot.md has the measurements):

- the best article's meaning must be close (``semantic``), and its combined rank clear of the
  runner-up's by a margin, since two near-equal candidates mean the bot is guessing;
- a very close meaning needs less margin (the runner-up is often a related article), and keyword
  agreement lets a slightly weaker meaning through;
- without the encoder (keyword fallback) only a question whose rare words the article covers
  almost entirely is answered.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.index import Hit

MIN_SEMANTIC = 0.45
MIN_MARGIN = 0.04
KEYWORD_MIN_COVERAGE = 0.8
KEYWORD_MIN_MARGIN = 0.2


def confident(hits: Sequence[Hit], *, semantic: bool) -> bool:
    if not hits:
        return False
    top = hits[0]
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    if not semantic:
        return top.lexical >= KEYWORD_MIN_COVERAGE and top.score - runner_up >= KEYWORD_MIN_MARGIN
    return top.semantic >= MIN_SEMANTIC and top.score - runner_up >= MIN_MARGIN
