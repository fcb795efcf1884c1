"""Retention as a background task (django-tasks, run by ``manage.py db_worker``): each inbox with a
retention period has its resolved conversations reduced to anonymous stubs that many days after
their resolution, through the erasure service (privacy.erasure), so that files, search text and
tasks go too and the reports stay right.

One chain of runs: each run enqueues the next one ``INTERVAL`` later, unless one is queued;
``ensure_retention_scheduled`` starts the chain (when an inbox's retention is saved, and from
``manage.py retention``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django_tasks import task

from chat import clock
from chat.choices import ConversationStatus
from chat.models import Conversation
from privacy.erasure import conversations_erase
from privacy.models import ErasureKind, InboxPrivacy, PlaceholderContact

logger = logging.getLogger(__name__)

INTERVAL = timedelta(hours=1)
BATCH = 200
TASK_PATH = "privacy.tasks.run_retention"


def expired(*, now=None) -> list[Conversation]:
    """Resolved conversations past their inbox's retention period, not yet reduced to stubs."""
    now = now or clock.now()
    placeholders = PlaceholderContact.objects.values("contact_id")
    found: list[Conversation] = []
    for row in InboxPrivacy.objects.filter(retention_days__isnull=False).only("inbox_id", "retention_days"):
        found += list(
            Conversation.objects.filter(
                inbox_id=row.inbox_id,
                status=ConversationStatus.RESOLVED,
                resolved_at__lt=now - timedelta(days=row.retention_days),
            )
            .exclude(contact_id__in=placeholders)
            .only("pk", "inbox_id")[:BATCH]
        )
    return found


def apply_retention(*, now=None) -> int:
    """Reduce every expired conversation to its stub; returns how many."""
    done = 0
    while True:
        batch = expired(now=now)
        if not batch:
            return done
        conversations_erase(conversations=batch, actor=None, kind=ErasureKind.RETENTION)
        done += len(batch)


@task()
def run_retention() -> int:
    try:
        return apply_retention()
    finally:
        ensure_retention_scheduled(force=True)


def ensure_retention_scheduled(*, force: bool = False) -> bool:
    """Queue the next run (in ``INTERVAL``; at once when starting a chain) unless one is queued."""
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY")
    if force:
        queued = queued.filter(run_after__gt=clock.now())
    if queued.exists():
        return False
    run_at = clock.now() + (INTERVAL if force else timedelta(0))
    transaction.on_commit(lambda: run_retention.using(run_after=run_at).enqueue())
    return True
