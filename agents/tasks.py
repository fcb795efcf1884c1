"""Background tasks (django-tasks, database backend): the timer sweep, every few seconds.

One chain of sweeps exists: each run enqueues the next, and ``ensure_sweep_scheduled``
(called when a worker starts and whenever a conversation starts waiting) restarts the chain
if it died with a worker. Several workers are safe: the sweep acts through services that
re-check state under row locks.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django_tasks import task

from agents.models import TimerSchedule
from agents.timers import sweep
from chat import clock

logger = logging.getLogger(__name__)


def interval() -> timedelta:
    return timedelta(seconds=settings.HELPDESK["TIMER_INTERVAL_SECONDS"])


@task()
def run_timer_sweep() -> dict:
    now = clock.now()
    try:
        done = sweep(now=now)
    finally:
        _schedule_next(now=now, force=True)
    return {k: v for k, v in done.items() if v}


def _schedule_next(*, now, force: bool) -> bool:
    """Enqueue the next sweep unless one is already due soon; True if it enqueued one."""
    with transaction.atomic():
        row, _ = TimerSchedule.objects.select_for_update().get_or_create(pk=1)
        alive = row.next_run_at is not None and row.next_run_at > now - 3 * interval()
        if alive and not force:
            return False
        run_at = now + interval()
        TimerSchedule.objects.filter(pk=1).update(next_run_at=run_at, last_run_at=now if force else row.last_run_at)
        transaction.on_commit(lambda: run_timer_sweep.using(run_after=run_at).enqueue())
    return True


def ensure_sweep_scheduled() -> bool:
    """Start the sweep chain if none is alive (cheap when one is: a read and a lock)."""
    try:
        return _schedule_next(now=clock.now(), force=False)
    except Exception:  # never let scheduling break the caller; a worker start retries
        logger.exception("could not schedule the timer sweep")
        return False
