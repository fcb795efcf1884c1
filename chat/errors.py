"""The domain's error: a stable machine code plus a sentence for people.

Every code here is listed in docs/protocol.md; clients branch on ``code``, never on ``message``.
"""

from __future__ import annotations

import math


class ServiceError(Exception):
    """A refused operation. ``code`` is stable API; ``message`` is for people."""

    def __init__(self, code: str, message: str, *, status: int = 400, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retry_after = retry_after  # seconds to wait, for ``rate_limited``


def not_found(what: str = "conversation") -> ServiceError:
    return ServiceError("not_found", f"No such {what}, or you may not see it.", status=404)


def invalid(message: str) -> ServiceError:
    return ServiceError("invalid", message, status=400)


def rate_limited(message: str, *, retry_after: float) -> ServiceError:
    """A budget is spent: ``retry_after`` (whole seconds, at least 1) says when to try again."""
    return ServiceError("rate_limited", message, status=429, retry_after=max(1, math.ceil(retry_after)))
