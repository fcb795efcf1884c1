"""The seam through which text people write is filtered before it is stored (issue 16).

``chat`` never imports the apps above it, so the privacy app installs its redaction here when it
starts (privacy.apps); without it, text is stored as written. Every service that stores what a
visitor or an agent wrote passes it through ``text`` first, so that what is written, broadcast,
indexed and e-mailed is the filtered text: one place, before anything leaves the service.
"""

from __future__ import annotations

from collections.abc import Callable

# (text, inbox id) -> (filtered text, kinds of data that were removed)
Filter = Callable[[str, int], tuple[str, list[str]]]

_filter: Filter | None = None


def install(function: Filter | None) -> None:
    global _filter
    _filter = function


def text(value: str, *, inbox_id: int) -> str:
    """``value`` as the inbox's policy allows it to be stored."""
    return scrubbed(value, inbox_id=inbox_id)[0]


def scrubbed(value: str, *, inbox_id: int) -> tuple[str, list[str]]:
    """``value`` filtered, with the kinds of data removed (empty when nothing was)."""
    if _filter is None or not isinstance(value, str) or not value:
        return value, []
    return _filter(value, inbox_id)
