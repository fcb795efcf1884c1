"""One rule for text that a JSON parser accepts but the helpdesk cannot store: refuse it clearly.

JSON may carry a lone UTF-16 surrogate (``"\\ud800"``), which is not a character: it cannot be
encoded as UTF-8, so PostgreSQL, e-mail and every client would choke on it; and ``"\\u0000"``,
which PostgreSQL refuses in text and JSON columns. A socket frame or REST body with either,
anywhere (a key or a value, at any depth), is refused as a whole with ``invalid_text``; nothing
of it is stored. Other control characters are cleaned where text is stored (``clean_text``).
"""

from __future__ import annotations

import json
import re
from typing import Any

# A fast first look at the raw JSON: only an escape in the surrogate range or \u0000 can make one.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")


def unstorable_text(data: Any) -> bool:
    """Whether any string inside ``data`` (keys included) holds a lone surrogate or a NUL."""
    try:
        encoded = json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return b"\\u0000" in encoded


def raw_json_may_hold_unstorable_text(raw: str) -> bool:
    """False when ``raw`` cannot decode to such text (no escape that could make one)."""
    return bool(_SUSPECT_ESCAPE.search(raw))


INVALID_TEXT_MESSAGE = (
    "Text must be valid Unicode without NUL characters: a lone surrogate (\\ud800-\\udfff) "
    "or \\u0000 was found. Nothing was stored."
)


def printable_line(text: str, *, limit: int) -> str:
    """``text`` as one line of printable characters, at most ``limit`` long.

    For values shown to agents that come from headers or pages rather than from a person typing
    (a User-Agent, a page title): control, format and unassigned characters are dropped, runs of
    whitespace become one space.
    """
    kept = "".join(" " if ch.isspace() else ch for ch in text if ch.isspace() or ch.isprintable())
    return " ".join(kept.split())[:limit]
