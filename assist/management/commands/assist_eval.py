"""Measure suggested replies: ``manage.py assist_eval [--half test|tune] [--details]``.

Builds a throwaway index (the database is never read or written) from the knowledge base, the
canned responses and the past replies of the tuning half, suggests replies for each conversation
of the chosen half, and prints one JSON object: per locale and overall, how often the best
suggestion would be accepted (assist/evaluation.py says how that is judged), how often one of the
three would, and the suggestion time's p50/p99 in milliseconds.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from assist.evaluation import default_data, evaluate, read_conversations, summarize

DATA = default_data()
KB = DATA.parent.parent / "bot_eval" / "data" / "kb.jsonl"


class Command(BaseCommand):
    help = "Suggest replies for a held-out set of conversations and print how often they would be accepted."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--conversations", default=str(DATA / "conversations.jsonl"))
        parser.add_argument("--canned", default=str(DATA / "canned.jsonl"))
        parser.add_argument("--kb", default=str(KB))
        parser.add_argument("--half", choices=("tune", "test"), default="test")
        parser.add_argument("--min-rank", type=float, default=None, help="Override the shown floor (tuning).")
        parser.add_argument("--details", action="store_true")

    def handle(self, *args, conversations, canned, kb, half, min_rank, details, **options) -> None:
        rows = read_conversations(conversations)
        outcomes = evaluate(rows, half=half, kb=kb, canned=canned, min_rank=min_rank)
        report = {"half": half, **summarize(outcomes)}
        if details:
            report["details"] = [
                {"id": o.id, "intent": o.intent, "shown": list(o.shown), "kinds": list(o.kinds), "ranks": list(o.ranks)}
                for o in outcomes
            ]
        self.stdout.write(json.dumps(report, ensure_ascii=False))
