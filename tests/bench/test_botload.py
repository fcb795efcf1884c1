"""The botbusy benchmark's bookkeeping and report (the benchmark itself is run by hand, docs/performance.md)."""

from __future__ import annotations

import asyncio
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from bench import botreport
from bench.botload import BotGenerator
from bench.common import summarize


def generator() -> BotGenerator:
    spec = {"worker": 0, "dialect": "helpdesk", "visitor_base": "ws://127.0.0.1:1", "agent_base": "ws://127.0.0.1:1"}
    return BotGenerator({**spec, "origin": "https://x.example", "inboxes": [], "bot": {"key": "k", "questions": ["q"]}})


turns = st.lists(
    st.tuples(
        st.floats(min_value=-5, max_value=5), st.sampled_from(["answer", "handoff", "timeout"]), st.floats(0, 900)
    ),
    max_size=40,
)


@settings(max_examples=30, deadline=None)
@given(turns=turns)
def test_bot_stop_counts_only_the_turns_after_the_warm_up(turns):
    """Turns sent before ``bot_since`` (the warm-up) are left out; the rest are split by outcome."""
    gen = generator()
    gen.bot_since = time.monotonic() - 10  # the window is 10 s and every turn below lies before its end
    gen.turns = [(gen.bot_since + t, outcome, ms) for t, outcome, ms in turns]
    result = asyncio.run(gen.cmd_bot_stop())
    counted = [(o, ms) for t, o, ms in turns if gen.bot_since + t >= gen.bot_since]
    assert result["questions"] == len(counted)
    assert result["answers"] == sum(1 for o, _ in counted if o == "answer")
    assert result["handoffs"] == sum(1 for o, _ in counted if o == "handoff")
    assert result["timeouts"] == sum(1 for o, _ in counted if o == "timeout")
    assert result["answer_latency"]["n"] == result["answers"]
    # Little's law: the answer times add up to the mean number of questions in flight over the window
    expected = sum(ms for _, ms in counted) / 1000 / result["window"]
    assert abs(result["in_flight"] - expected) <= 0.01 + 0.01 * expected


def phase(p50: float, p99: float, lost: int = 0) -> dict:
    return {
        "latency": {"n": 100, "p50": p50, "p95": p99, "p99": p99},
        "stored_per_s": 100.0,
        "delivered_per_s": 100.0,
        "lost": lost,
        "duplicates": 0,
        "failed": 0,
        "unacked": 0,
        "cpu": {"server": 0.2, "other": 0.0},
    }


def test_the_report_shows_the_phases_side_by_side():
    bot = {
        "window": 20.0,
        "questions": 200,
        "answers": 190,
        "handoffs": 10,
        "timeouts": 0,
        "conversations": 60,
        "errors": {},
        "answers_per_s": 9.5,
        "in_flight": 2.4,
        "answer_latency": summarize([30.0, 40.0]),
        "handoff_latency": summarize([35.0]),
        "latency": summarize([30.0, 35.0, 40.0]),
    }
    params = {"duration": 12, "visitors": 8, "light": {"interval": 20.0}}
    result = {
        "params": params,
        "quiet": phase(9.0, 30.0),
        "busy": phase(11.0, 45.0),
        "after": phase(10.0, 31.0, lost=1),
        "bot": bot,
    }
    results = {"runs": [{"name": "helpdesk daphne pubsub", "scenarios": {"botbusy": result}}]}
    text = botreport.render(results)
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert [r.split("|")[1].strip() for r in rows] == ["phase", "without bot traffic", "bot busy", "without again"]
    assert "190 answers" in text and "10 handoffs" in text and "2.4 questions in flight" in text
    (target,) = botreport.target_lines(results)
    assert "p99 45.0 ms" in target and "p99 30.0 / 31.0 ms" in target and "lost / duplicated 1 / 0" in target
    assert "MET" not in target and "MISSED" not in target
    assert "with the bot busy 11.0/45.0" in botreport.one_line(result)
