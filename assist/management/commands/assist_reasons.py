"""``manage.py assist_reasons [--days N] [--schedule]``: group the last N days' conversations into
contact reasons now (on this process), and with ``--schedule`` enqueue the nightly run."""

from __future__ import annotations

import json
from datetime import timedelta

from django.core.management.base import BaseCommand

from assist.reasons import reasons_group
from assist.tasks import group_contact_reasons, next_night
from chat import clock


class Command(BaseCommand):
    help = "Group recent conversations into contact reasons; --schedule starts the nightly run."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=7)
        parser.add_argument("--schedule", action="store_true")

    def handle(self, *args, days: int, schedule: bool, **options) -> None:
        now = clock.now()
        done = reasons_group(start=now - timedelta(days=days), end=now)
        if schedule:
            group_contact_reasons.using(run_after=next_night(now)).enqueue(chain=True)
            done["next_run"] = next_night(now).isoformat()
        self.stdout.write(json.dumps(done))
