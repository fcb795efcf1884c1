"""Canned responses: filling a saved reply's variables for one conversation.

A canned response's text may hold ``{{contact.name}}``, ``{{contact.email}}``,
``{{agent.name}}`` and ``{{conversation.number}}`` (spaces inside the braces are allowed). An
unknown variable stays as written, so a typo shows in the composer instead of vanishing.
The result is plain text: the agent edits it in the composer before sending.
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser

from chat.models import Conversation
from chat.payloads import user_name

VARIABLE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")


def canned_variables(*, conversation: Conversation, agent: AbstractBaseUser) -> dict[str, str]:
    """The values of the variables for ``conversation`` (its ``contact`` loaded), answered by ``agent``."""
    contact = conversation.contact
    return {
        "contact.name": contact.name or "",
        "contact.email": contact.email or "",
        "agent.name": user_name(agent),
        "conversation.number": str(conversation.number or ""),
    }


def canned_render(text: str, *, variables: dict[str, str]) -> str:
    """``text`` with each known ``{{variable}}`` replaced by its value."""
    return VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
