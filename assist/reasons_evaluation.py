"""Contact reasons against labels: the labelled first messages of one half, grouped as the
nightly task groups them, scored with the adjusted Rand index per language and mixed.

The labelled set: the hand-written conversations (tests/assist/data/conversations.jsonl, each
with its true reason) and the bot's question sets (tests/bot_eval/data/questions_*.jsonl),
whose expected article maps to a reason (tests/assist/data/reasons.json); off-topic questions
have no reason and are left out. Nothing here reads the database.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import CommandError

from assist.clustering import adjusted_rand_index, embed, group, profile, telling_words
from assist.evaluation import default_data, read_conversations, read_jsonl
from bot.evaluation import load_index
from knowledge.encoder import get_encoder


def labelled(half: str, data: Path | None = None) -> list[tuple[str, str, str]]:
    """(text, locale, reason) of one half."""
    data = data or default_data()
    reasons = json.loads((data / "reasons.json").read_text(encoding="utf-8"))
    rows = [
        (c.message, c.locale, c.reason) for c in read_conversations(str(data / "conversations.jsonl")) if c.half == half
    ]
    questions = data.parent.parent / "bot_eval" / "data" / f"questions_{half}.jsonl"
    for q in read_jsonl(str(questions)):
        if q.get("expected") in reasons:
            rows.append((q["q"], q.get("locale", "en"), reasons[q["expected"]]))
    return rows


def measure(half: str, *, k: int | None = None, raw: bool = False) -> dict:
    """``raw``: group the sentence embeddings themselves (the fallback) instead of the profiles."""
    encoder = get_encoder()
    if encoder is None:
        raise CommandError("The sentence encoder did not load (see the log).")
    rows = labelled(half)
    texts = [text for text, _, _ in rows]
    if raw:
        vectors = embed(encoder, texts)
    else:
        index, _ = load_index(str(default_data().parent.parent / "bot_eval" / "data" / "kb.jsonl"))
        vectors = profile(index, texts, [locale for _, locale, _ in rows])
    report = {"half": half, "features": "embeddings" if raw else "profiles"}
    for name, keep in (("en", {"en"}), ("zh-hans", {"zh-hans"}), ("mixed", {"en", "zh-hans"})):
        chosen = [i for i, (_, locale, _) in enumerate(rows) if locale in keep]
        started = time.perf_counter()
        labels, centres = group(vectors[chosen], k=k)
        seconds = time.perf_counter() - started
        truth = [rows[i][2] for i in chosen]
        names = telling_words([rows[i][0] for i in chosen], list(labels))
        report[name] = {
            "messages": len(chosen),
            "true_reasons": len(set(truth)),
            "groups": len(centres),
            "ari": round(adjusted_rand_index(truth, list(labels)), 4),
            "group_seconds": round(seconds, 2),
            "names": [" / ".join(names.get(j, [])) for j in range(len(centres))],
        }
    return report
