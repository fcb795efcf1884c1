"""Remove personal data from a visitor's text before it leaves the helpdesk (the language model).

What a visitor writes may hold an email address, a phone number, a card or account number, an
address on the web with a token in it, or their name. Each is replaced by a marker in brackets,
so that the model still reads a sentence ("my email is [email]") without the datum.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PATTERNS = [
    ("[email]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)),
    ("[link]", re.compile(r"\bhttps?://\S+", re.IGNORECASE)),
    ("[ip]", re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b")),
    # Card numbers, phone numbers, ID and account numbers: 6+ digits, perhaps split by spaces or dashes.
    ("[number]", re.compile(r"(?<![\w])\+?\d(?:[\d\s().-]{4,}\d)(?:[xX])?(?![\w])")),
]


def redact(text: str, *, names: Iterable[str] = ()) -> str:
    for marker, pattern in _PATTERNS:
        text = pattern.sub(lambda m, marker=marker: marker if _worth(m.group(0), marker) else m.group(0), text)
    for name in names:
        for part in {name.strip(), *name.split()}:
            if len(part) >= 2:
                text = re.sub(re.escape(part), "[name]", text, flags=re.IGNORECASE)
    return text


def _worth(match: str, marker: str) -> bool:
    """Short numbers (a quantity, a year, an order of 3 items) stay: only long digit runs are personal."""
    if marker != "[number]":
        return True
    return sum(c.isdigit() for c in match) >= 6
