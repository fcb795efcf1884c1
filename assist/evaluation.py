"""The suggestions' evaluation: candidates from files, the conversations' halves, the figures.

Used by ``assist_eval``; nothing here reads or writes the database. The judge: a suggestion is
one a reviewer would accept when its source answers the same need as the reply the agent really
gave, i.e. its intent label matches the conversation's (a canned response and a past reply carry
the label of their conversation or of the need they were written for, an article its slug).
Showing nothing counts as not accepted.

For the test half, the past replies are the tuning half's; for the tuning half, the other
tuning conversations (leave one out), so no conversation is ever suggested its own reply.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError

from assist.engine import ARTICLE, CANNED, REPLY, Candidate, SuggestionIndex
from bot.evaluation import percentile, read_lines
from bot.redaction import redact
from knowledge.encoder import get_encoder
from knowledge.index import article_vectors, indexed_article
from knowledge.services import parse_jsonl


@dataclass(frozen=True)
class Conversation:
    id: str
    locale: str
    half: str
    intent: str
    reason: str
    contact: str
    message: str
    reply: str


def read_jsonl(path: str) -> list[dict]:
    rows = []
    for number, line in enumerate(read_lines(path), start=1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError:
                raise CommandError(f"{path} line {number}: not JSON.")
    return rows


def read_conversations(path: str) -> list[Conversation]:
    try:
        return [Conversation(**row) for row in read_jsonl(path)]
    except TypeError as exc:
        raise CommandError(
            f"{path}: each line needs id, locale, half, intent, reason, contact, message, reply ({exc})."
        )


def reply_candidate(c: Conversation) -> Candidate:
    """A past conversation's reply, as production stores it: personal data replaced."""
    names = [c.contact] if c.contact else []
    return Candidate(
        key=f"{REPLY}:{c.id}",
        kind=REPLY,
        title="",
        text=redact(c.reply, names=names),
        locale=c.locale,
        question=redact(c.message, names=names),
        label=c.intent,
    )


def fixed_candidates(kb: str, canned: str):
    """The knowledge base's articles (indexed, with their labels) and the canned responses."""
    encoder = get_encoder()
    if encoder is None:
        raise CommandError("The sentence encoder did not load (see the log).")
    articles, labelled = [], {}
    for row in parse_jsonl(read_lines(kb)):
        articles.append(indexed_article(**row, vectors=article_vectors(encoder, row["title"], row["body"])))
        key = f"{ARTICLE}:{row['slug']}"
        labelled[f"{key}/{row['locale']}"] = Candidate(
            key=key, kind=ARTICLE, title=row["title"], text=row["title"], locale=row["locale"], label=row["slug"]
        )
    canned_rows = [
        Candidate(
            key=f"{CANNED}:{r['short_code']}",
            kind=CANNED,
            title=r["title"],
            text=r["text"],
            locale=r["locale"],
            label=r["intent"],
        )
        for r in read_jsonl(canned)
    ]
    return encoder, articles, labelled, canned_rows


@dataclass(frozen=True)
class Outcome:
    id: str
    locale: str
    intent: str
    shown: tuple[str, ...]  # the labels of the suggestions, best first
    kinds: tuple[str, ...]
    ms: float
    ranks: tuple[float, ...] = ()


def evaluate(
    conversations: list[Conversation], *, half: str, kb: str, canned: str, min_rank: float | None = None
) -> list[Outcome]:
    encoder, articles, labelled, canned_rows = fixed_candidates(kb, canned)
    tune = [c for c in conversations if c.half == "tune"]
    asked = [c for c in conversations if c.half == half]
    pool = [reply_candidate(c) for c in tune]
    index = SuggestionIndex([*canned_rows, *pool], encoder, articles=articles, article_candidates=labelled)
    for warm_up in ("warm up", "预热"):
        index.suggest(warm_up)
    outcomes = []
    for c in asked:
        own = f"{REPLY}:{c.id}"
        started = time.perf_counter()
        found = index.suggest(c.message, allowed=lambda cand, own=own: cand.key != own, min_rank=min_rank)
        ms = (time.perf_counter() - started) * 1000
        outcomes.append(
            Outcome(
                c.id,
                c.locale,
                c.intent,
                tuple(s.candidate.label for s in found),
                tuple(s.kind for s in found),
                ms,
                tuple(round(s.rank, 3) for s in found),
            )
        )
    return outcomes


def figures(outcomes: list[Outcome]) -> dict:
    n = len(outcomes) or 1
    top = [o for o in outcomes if o.shown and o.shown[0] == o.intent]
    any3 = [o for o in outcomes if o.intent in o.shown]
    times = [o.ms for o in outcomes]
    return {
        "conversations": len(outcomes),
        "with_suggestions": sum(1 for o in outcomes if o.shown),
        "best_accepted": len(top),
        "best_accepted_rate": round(len(top) / n, 4),
        "any_of_three_rate": round(len(any3) / n, 4),
        "best_kind": {k: sum(1 for o in outcomes if o.kinds and o.kinds[0] == k) for k in (CANNED, ARTICLE, REPLY)},
        "p50_ms": round(percentile(times, 0.5), 2),
        "p99_ms": round(percentile(times, 0.99), 2),
    }


def summarize(outcomes: list[Outcome]) -> dict:
    locales = sorted({o.locale for o in outcomes})
    return {
        "overall": figures(outcomes),
        "locales": {loc: figures([o for o in outcomes if o.locale == loc]) for loc in locales},
    }


def default_data() -> Path:
    return Path(__file__).resolve().parent.parent / "tests" / "assist" / "data"
