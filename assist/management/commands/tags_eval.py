"""Measure tag suggestions: ``manage.py tags_eval [--half test|tune] [--min-rank R]``.

The tags are the labelled set's nine contact reasons, each described in one English sentence as a
manager would (tests/assist/data/tags.jsonl); each labelled first message (assist/reasons_evaluation.py)
gets the suggestions the console would show. Printed per language and overall: how often the first
suggested tag is the true one (what the agent would confirm), how often the true tag is among those
shown, and how many messages got no suggestion. Never reads or writes the database.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from assist.evaluation import default_data, read_jsonl
from assist.reasons_evaluation import labelled
from assist.tags import MIN_RANK, suggest_tags, tag_index
from knowledge.encoder import get_encoder


def figures(outcomes: list[tuple[str, list[str]]]) -> dict:
    n = len(outcomes) or 1
    return {
        "messages": len(outcomes),
        "first_correct_rate": round(sum(1 for t, s in outcomes if s and s[0] == t) / n, 4),
        "true_shown_rate": round(sum(1 for t, s in outcomes if t in s) / n, 4),
        "none_shown": sum(1 for _, s in outcomes if not s),
    }


class Command(BaseCommand):
    help = "Suggest tags for labelled messages and print how often the agent would confirm the first one."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--half", choices=("tune", "test"), default="test")
        parser.add_argument("--min-rank", type=float, default=MIN_RANK)

    def handle(self, *args, half: str, min_rank: float, **options) -> None:
        encoder = get_encoder()
        if encoder is None:
            raise CommandError("The sentence encoder did not load (see the log).")
        tags = read_jsonl(str(default_data() / "tags.jsonl"))
        index = tag_index([(t["name"], t["sentence"]) for t in tags], encoder)
        outcomes: dict[str, list] = {"en": [], "zh-hans": []}
        for text, locale, reason in labelled(half):
            shown = [name for name, _ in suggest_tags(index, text, min_rank=min_rank)]
            outcomes[locale].append((reason, shown))
        report = {"half": half, "min_rank": min_rank, "overall": figures([o for v in outcomes.values() for o in v])}
        report.update({locale: figures(v) for locale, v in outcomes.items()})
        self.stdout.write(json.dumps(report))
