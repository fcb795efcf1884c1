"""One rule for every CSV file the helpdesk writes: visitor text never becomes a spreadsheet formula.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula
by Excel, LibreOffice and Google Sheets (CSV injection): a rating comment ``=HYPERLINK(...)`` would
turn into a live link. Such text cells get a leading apostrophe, which spreadsheets show as text
and hide. Numbers are left alone: ``-3`` written by us is a number, not visitor text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value to write in a CSV cell: text that a spreadsheet would run is made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]
