"""The background task that delivers webhooks (django-tasks; run by ``db_worker`` or the
embedded worker). A commit that wrote outbox rows enqueues it; while retries wait, it enqueues
itself again for the earliest one (at most one such wake-up is kept scheduled)."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django_tasks import task

from chat import clock

WAKE_KEY = "integrations:webhooks:wake"


@task()
def deliver_webhooks() -> None:
    from integrations.webhooks.dispatch import run_once

    wake = run_once()
    if wake is not None:
        schedule_wake(wake)


def schedule_wake(wake: datetime) -> None:
    scheduled = cache.get(WAKE_KEY)
    now = clock.now().timestamp()
    if scheduled is not None and now < scheduled <= wake.timestamp():
        return
    cache.set(WAKE_KEY, wake.timestamp(), timeout=max(1, int(wake.timestamp() - now) + 60))
    deliver_webhooks.using(run_after=wake).enqueue()
