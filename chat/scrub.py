"""The seam through which what people write, and what their browser tells, is filtered before it
is stored (issue 16; docs/privacy.md).

``chat`` never imports the apps above it, so the privacy app installs its filters here when it
starts (privacy.apps); without them, everything is stored as it came. Every service that stores
what a visitor or an agent wrote passes it through ``text`` first, so that what is written,
broadcast, indexed and e-mailed is the filtered text: one place, before anything leaves the
service. ``context`` does the same for the page context (and the browser's User-Agent), and
``address`` decides what of the visitor's IP address the socket keeps (for its rate limits), and
``consent`` tells ``auth.ok`` the inbox's consent notice and whether this contact accepted it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (text, inbox id) -> (filtered text, kinds of data that were removed)
TextFilter = Callable[[str, int], tuple[str, list[str]]]
ContextFilter = Callable[[dict[str, str], int], dict[str, str]]
AddressFilter = Callable[[str | None, int], str | None]
# (inbox id, contact id) -> the consent notice the widget shows {notice, version, accepted}, or None
ConsentLookup = Callable[[int, int], dict[str, Any] | None]

_filters: dict[str, Any] = {}


def install(
    *,
    text: TextFilter | None,
    context: ContextFilter | None,
    address: AddressFilter | None,
    consent: ConsentLookup | None = None,
) -> None:
    _filters.update({"text": text, "context": context, "address": address, "consent": consent})


def text(value: str, *, inbox_id: int) -> str:
    """``value`` as the inbox's policy allows it to be stored."""
    return scrubbed(value, inbox_id=inbox_id)[0]


def scrubbed(value: str, *, inbox_id: int) -> tuple[str, list[str]]:
    """``value`` filtered, with the kinds of data removed (empty when nothing was)."""
    function = _filters.get("text")
    if function is None or not isinstance(value, str) or not value:
        return value, []
    return function(value, inbox_id)


def context(value: dict[str, str], *, inbox_id: int) -> dict[str, str]:
    function = _filters.get("context")
    return function(value, inbox_id) if function is not None and value else value


def address(value: str | None, *, inbox_id: int) -> str | None:
    function = _filters.get("address")
    return function(value, inbox_id) if function is not None else value


def consent(*, inbox_id: int, contact_id: int) -> dict[str, Any] | None:
    function = _filters.get("consent")
    return function(inbox_id, contact_id) if function is not None else None
