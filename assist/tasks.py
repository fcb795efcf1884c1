"""The nightly contact-reasons run (django-tasks, database backend), on a worker.

Each run groups the last ``ASSIST["REASONS_DAYS"]`` days (default 7) and enqueues the next run
for the following night at ``ASSIST["REASONS_HOUR"]`` (UTC, default 2). ``manage.py
assist_reasons`` runs one now and starts the chain.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django_tasks import task

from assist.reasons import reasons_group
from chat import clock

log = logging.getLogger(__name__)


def option(name: str, default: int) -> int:
    return int(getattr(settings, "ASSIST", {}).get(name, default))


def next_night(now: datetime) -> datetime:
    run = now.replace(hour=option("REASONS_HOUR", 2), minute=0, second=0, microsecond=0)
    return run if run > now else run + timedelta(days=1)


@task()
def group_contact_reasons(chain: bool = True) -> dict:
    now = clock.now()
    try:
        done = reasons_group(start=now - timedelta(days=option("REASONS_DAYS", 7)), end=now)
        log.info("contact reasons: %s", done)
        return done
    finally:
        if chain:
            group_contact_reasons.using(run_after=next_night(now)).enqueue(chain=True)
