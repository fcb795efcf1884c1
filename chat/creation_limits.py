"""Budgets for what anonymous visitors can create: contacts and conversations, per address and per inbox.

Without them one address made 100 contacts and 100 conversations in 11 seconds (every ``auth``
without a token makes a contact). Each budget is a count per fixed window in Django's cache, shared
by every process through Redis when there is one. A spent budget is the ``rate_limited`` error with
``retry_after``: the seconds until its window ends. The numbers are settings
(``HELPDESK["CREATION_LIMITS"]``, docs/deploy.md); a limit of 0 turns that budget off.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from chat.errors import rate_limited

WHAT = {"contact": "new visitors", "conversation": "new conversations"}


def _budgets(kind: str, *, address: str | None, inbox_id: int) -> list[tuple[str, int, int]]:
    """(cache key prefix, limit, window seconds) for each budget that applies."""
    limits = settings.HELPDESK["CREATION_LIMITS"]
    budgets = []
    per_address, address_window = limits[f"{kind}_per_address"]
    if address and per_address:
        budgets.append((f"hd-create:{kind}:addr:{address}", per_address, address_window))
    per_inbox, inbox_window = limits[f"{kind}_per_inbox"]
    if per_inbox:
        budgets.append((f"hd-create:{kind}:inbox:{inbox_id}", per_inbox, inbox_window))
    return budgets


def _window(prefix: str, window: int, now: float) -> tuple[str, float]:
    start = int(now // window) * window
    return f"{prefix}:{start}", start + window - now


def check(kind: str, *, address: str | None, inbox_id: int) -> None:
    """Refuse (``rate_limited``) when a budget for creating ``kind`` is spent; spends nothing."""
    now = time.time()
    for prefix, limit, window in _budgets(kind, address=address, inbox_id=inbox_id):
        key, left = _window(prefix, window, now)
        if (cache.get(key) or 0) >= limit:
            raise rate_limited(
                f"Too many {WHAT[kind]} from here; try again in {int(left) + 1} seconds.", retry_after=left
            )


def spend(kind: str, *, address: str | None, inbox_id: int) -> None:
    """Count one creation of ``kind`` against every budget that applies."""
    now = time.time()
    for prefix, _limit, window in _budgets(kind, address=address, inbox_id=inbox_id):
        key, left = _window(prefix, window, now)
        if cache.add(key, 1, timeout=int(left) + 1):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: start the new window's count
            cache.add(key, 1, timeout=int(left) + 1)
