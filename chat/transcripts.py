"""A transcript as plain text: the agent's download (notes marked) and the contact's (download
and email: public entries only, in the contact's language, with the names of its files).

Message text is written verbatim, and its continuation lines are indented, so that no text can
start a line that reads as another entry.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from chat.choices import SenderKind
from chat.models import Conversation, Message


def _body(message: Message) -> str:
    """The entry as its reader reads it (a system message in the active language)."""
    return "\n    ".join(message.display_text.splitlines() or [""])


def transcript_text(conversation: Conversation, messages: Iterable[Message], *, for_agent: bool = False) -> str:
    """``messages`` (which the caller chose for its reader) as text, one entry a line."""
    if for_agent:
        lines = [f"Conversation #{conversation.number} with {conversation.contact}", ""]
    else:
        lines = [
            _("Conversation #%(number)s with %(inbox)s")
            % {"number": conversation.number, "inbox": conversation.inbox.name},
            "",
        ]
    for m in messages:
        text = _body(m)
        if for_agent:
            who = f"{m.sender_name or m.sender_kind}{' (private note)' if m.is_private else ''}"
            lines.append(f"[{m.created_at:%Y-%m-%d %H:%M:%S} UTC] {who}: {text}")
            continue
        who = m.sender_name or (_("System") if m.sender_kind == SenderKind.SYSTEM else m.sender_kind)
        files = [a.name for a in m.attachments.all()]
        if files:
            text = (text + " " if text else "") + "[" + _("files") + ": " + ", ".join(files) + "]"
        lines.append(f"[{m.created_at:%Y-%m-%d %H:%M} UTC] {who}: {text}")
    return "\n".join(lines) + "\n"
