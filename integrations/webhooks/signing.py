"""Standard Webhooks signatures through the ``standardwebhooks`` package, behind this interface.

Secrets read ``whsec_<base64>``; during a rotation both the new and the previous secret sign, so a
receiver that still knows only the old one keeps verifying (the spec's space-separated list).
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from standardwebhooks.webhooks import Webhook


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_header(*, secrets_: list[str], msg_id: str, timestamp: datetime, body: str) -> str:
    return " ".join(Webhook(s).sign(msg_id, timestamp, body) for s in secrets_ if s)


def verify(*, secret: str, body: str, headers: dict[str, str]) -> None:
    """Raises unless ``headers`` carry a valid, fresh signature of ``body`` (used by the tests)."""
    Webhook(secret).verify(body, headers)
