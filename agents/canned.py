"""Canned responses: filling a saved reply's variables for one conversation.

The one expansion rule, used by the console's preview and by the text it puts in the composer
(both ask the server with ``canned.expand``), so what an agent previews is what it sends:

- ``{{contact.name}}``, ``{{contact.email}}``, ``{{agent.name}}``, ``{{conversation.number}}``
  (spaces inside the braces are allowed) take the conversation's value;
- ``{{contact.name|there}}`` takes ``there`` when the value is missing or blank (the fallback is
  any text without braces, trimmed; ``{{contact.name|}}`` falls back to nothing on purpose);
- a variable with no value and no fallback becomes empty and is reported as *missing*, so the
  console can warn before "Hi , ..." reaches a visitor;
- an unknown variable stays as written (fallback included) and is reported as *unknown*, so a
  typo shows instead of vanishing.

Values are inserted as they are, in one pass: braces inside a value are never expanded again.
The result is plain text: the agent edits it in the composer before sending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser

from chat.models import Conversation
from chat.payloads import user_name

VARIABLE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*(?:\|([^{}]*?))?\s*\}\}")


@dataclass
class Expansion:
    text: str
    missing: list[str] = field(default_factory=list)  # known, without a value or a fallback
    unknown: list[str] = field(default_factory=list)  # not a variable: left as written


def canned_variables(*, conversation: Conversation, agent: AbstractBaseUser) -> dict[str, str]:
    """The values of the variables for ``conversation`` (its ``contact`` loaded), answered by ``agent``."""
    contact = conversation.contact
    return {
        "contact.name": contact.name or "",
        "contact.email": contact.email or "",
        "agent.name": user_name(agent),
        "conversation.number": str(conversation.number or ""),
    }


def canned_expand(text: str, *, variables: dict[str, str]) -> Expansion:
    """``text`` with each ``{{variable}}`` or ``{{variable|fallback}}`` filled in (rules above)."""
    result = Expansion(text="")

    def fill(match: re.Match) -> str:
        name, fallback = match.group(1), match.group(2)
        if name not in variables:
            if name not in result.unknown:
                result.unknown.append(name)
            return match.group(0)
        value = variables[name]
        if value.strip():
            return value
        if fallback is not None:
            return fallback.strip()
        if name not in result.missing:
            result.missing.append(name)
        return ""

    result.text = VARIABLE.sub(fill, text)
    return result


def canned_render(text: str, *, variables: dict[str, str]) -> str:
    """Just the expanded text (``canned_expand``)."""
    return canned_expand(text, variables=variables).text
