"""The domain's error: a stable machine code plus a sentence for people.

Every code here is listed in docs/protocol.md; clients branch on ``code``, never on ``message``.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refused operation. ``code`` is stable API; ``message`` is for people."""

    def __init__(self, code: str, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def not_found(what: str = "conversation") -> ServiceError:
    return ServiceError("not_found", f"No such {what}, or you may not see it.", status=404)


def invalid(message: str) -> ServiceError:
    return ServiceError("invalid", message, status=400)
