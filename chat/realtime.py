"""Group names, event envelopes and the broadcast after commit (rule 2).

This is the only module that touches the channel layer. The layer is best-effort: the
database is the truth, and a client that missed an event catches up by sequence number.

Groups:
  ``contact.<uuid hex>``  every socket of one contact (all its tabs); public events only.
  ``inbox.<id>``          every agent socket that may see the inbox; all events incl. private.
  ``agent.<user id>``     one agent's sockets; events addressed to that agent.
  ``agents``              every agent socket; presence (availability) of colleagues.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

RELAY_TYPE = "hd.event"


def contact_group(contact_public_id: UUID | str) -> str:
    return f"contact.{UUID(str(contact_public_id)).hex}"


def inbox_group(inbox_id: int) -> str:
    return f"inbox.{inbox_id}"


def agent_group(user_id: int) -> str:
    return f"agent.{user_id}"


def agents_group() -> str:
    return "agents"


def envelope(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The frame a client receives: ``{"type": ..., **data}``."""
    return {"type": event_type, **data}


def publish(groups: Iterable[str], event: dict[str, Any]) -> None:
    """Send ``event`` to each group now (one layer publish per group); never raises."""
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for group in groups:
        try:
            send(group, {"type": RELAY_TYPE, "event": event})
        except Exception:  # the layer is best-effort; the database already holds the truth
            logger.exception("channel layer publish to %s failed", group)


def broadcast(groups: Iterable[str], event: dict[str, Any]) -> None:
    """Publish ``event`` once the surrounding transaction commits (at once outside one)."""
    groups = list(groups)
    transaction.on_commit(lambda: publish(groups, event))


def after_commit(callback) -> None:
    """Run a publishing callback after commit, for events computed from committed state."""
    transaction.on_commit(callback)
