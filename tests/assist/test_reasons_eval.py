"""reasons_eval on the committed labelled test half: the agreement docs/assist.md reports.

No database access. The floors are the measured adjusted Rand indexes minus a little room."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command

# Measured on the test half (docs/assist.md).
FLOOR_ARI = {"en": 0.18, "zh-hans": 0.2, "mixed": 0.26}


def test_test_half_agreement_holds():
    out = StringIO()
    call_command("reasons_eval", "--half", "test", stdout=out)
    report = json.loads(out.getvalue())
    for name, floor in FLOOR_ARI.items():
        figures = report[name]
        assert figures["messages"] >= 120, figures
        assert figures["ari"] >= floor, (name, figures)
        assert len(figures["names"]) == figures["groups"] >= 2
