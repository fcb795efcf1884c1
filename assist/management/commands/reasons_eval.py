"""Measure contact reasons: ``manage.py reasons_eval [--half test|tune] [--k K]``.

Groups the labelled first messages of one half (assist/reasons_evaluation.py) and prints, per
language and mixed, the adjusted Rand index against the true reasons, the number of groups and
their names. Never reads or writes the database.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from assist.reasons_evaluation import measure


class Command(BaseCommand):
    help = "Group labelled first messages into contact reasons and print the agreement with the labels."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--half", choices=("tune", "test"), default="test")
        parser.add_argument("--k", type=int, default=None, help="A fixed number of groups (default: chosen).")
        parser.add_argument("--raw", action="store_true", help="Group the raw sentence embeddings (the fallback).")

    def handle(self, *args, half: str, k: int | None, raw: bool, **options) -> None:
        self.stdout.write(json.dumps(measure(half, k=k, raw=raw), ensure_ascii=False))
