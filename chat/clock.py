"""The one source of "now" for the domain, so tests can run timers on a controlled clock."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
