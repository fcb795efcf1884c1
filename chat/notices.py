"""System messages as codes with parameters, and their one set of templates (rule 11).

A system message stores a ``code`` and its ``params``; every reader sees it rendered in its own
language: the widget and the console from the djangojs catalogue (static/shared/i18n.js holds
the same templates, and a test keeps the two equal), e-mails, transcripts and the conversation page
from Django's catalogue. The message's ``text`` keeps the English rendering, for search and for
clients that know no codes. A template's parameters are data (an agent's or a team's name) and are
never translated.

Adding a notice: add its code and English template here and in static/shared/i18n.js, then run
``makemessages`` for both domains (django and djangojs), translate, and ``compilemessages``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop

JOINED = "joined"
TRANSFERRED_TO_AGENT = "transferred_to_agent"
TRANSFERRED_TO_TEAM = "transferred_to_team"
RESOLVED = "resolved"
REOPENED = "reopened"
REQUEUED = "requeued"
INACTIVITY_REMINDER = "inactivity_reminder"
INACTIVITY_CLOSED = "inactivity_closed"

TEMPLATES: dict[str, str] = {
    JOINED: gettext_noop("%(name)s joined the conversation."),
    TRANSFERRED_TO_AGENT: gettext_noop("Transferred to %(name)s."),
    TRANSFERRED_TO_TEAM: gettext_noop("Transferred to the %(team)s team."),
    RESOLVED: gettext_noop("The conversation was resolved."),
    REOPENED: gettext_noop("The conversation was reopened."),
    REQUEUED: gettext_noop("We are connecting you with another agent."),
    INACTIVITY_REMINDER: gettext_noop("Are you still there? This chat will close soon if we don't hear from you."),
    INACTIVITY_CLOSED: gettext_noop(
        "This chat was closed because we didn't hear back. Write again any time to reopen it."
    ),
}


class _Params(dict):
    """A missing parameter renders as nothing rather than failing the whole transcript."""

    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str, params: Mapping[str, Any] | None) -> str:
    return template % _Params({k: str(v) for k, v in (params or {}).items()})


def check(code: str, params: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The parameters of a new notice, as stored: ``code`` must be known, values become text."""
    if code not in TEMPLATES:
        raise ValueError(f"unknown system message code {code!r}")
    return {k: str(v) for k, v in (params or {}).items()}


def english(code: str, params: Mapping[str, Any] | None = None) -> str:
    """The English rendering stored in ``Message.text``."""
    return _fill(TEMPLATES[code], params)


def render(code: str, params: Mapping[str, Any] | None = None, *, fallback: str = "") -> str:
    """The notice in the active language; ``fallback`` (the stored text) for an unknown code."""
    template = TEMPLATES.get(code)
    if template is None:
        return fallback
    return _fill(gettext(template), params)
