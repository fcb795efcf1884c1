"""The ``botbusy`` scenario's lines in the printed report (bench/botload.py runs it)."""

from __future__ import annotations

from typing import Any

from bench.report import fmt, table


def one_line(result: dict[str, Any]) -> str:
    bot = result["bot"]
    lq, lb, la = ((result.get(k) or {}).get("latency") or {} for k in ("quiet", "busy", "after"))
    return (
        f"chat p50/p99 without the bot {lq.get('p50')}/{lq.get('p99')} ms, with the bot busy "
        f"{lb.get('p50')}/{lb.get('p99')} ms, without again {la.get('p50')}/{la.get('p99')} ms; "
        f"bot {bot['answers']} answers, {bot['handoffs']} handoffs, {bot['answers_per_s']}/s, "
        f"p50/p99 {bot['latency']['p50']}/{bot['latency']['p99']} ms, {bot.get('in_flight')} in flight"
    )


def render(results: dict[str, Any]) -> str:
    """The side-by-side table of both phases, and the bot's line."""
    out = []
    for run in results["runs"]:
        r = run.get("scenarios", {}).get("botbusy")
        if not r:
            continue
        p = r["params"]
        out.append(
            f"Chat latency while the bot is busy ({run['name']}): the light load (each side every "
            f"{p['light']['interval']} s for {p['duration']} s), alone and with {p['visitors']} bot visitors "
            f"asking questions back to back"
        )
        rows = []
        phases = [("without bot traffic", r["quiet"]), ("bot busy", r["busy"])]
        phases += [("without again", r["after"])] if "after" in r else []
        for label, phase in phases:
            lat = phase.get("latency") or {}
            rows.append(
                [
                    label,
                    fmt(lat.get("p50"), 2),
                    fmt(lat.get("p95"), 2),
                    fmt(lat.get("p99"), 2),
                    fmt(lat.get("n")),
                    fmt(phase.get("stored_per_s")),
                    fmt(phase.get("delivered_per_s")),
                    f"{phase.get('lost', '-')}/{phase.get('duplicates', '-')}",
                    fmt(phase.get("failed", 0) + phase.get("unacked", 0)),
                    fmt(phase.get("cpu", {}).get("server"), 2),
                    fmt(phase.get("cpu", {}).get("other"), 2),
                ]
            )
        headers = ["phase", "p50 ms", "p95 ms", "p99 ms", "messages", "stored/s", "delivered/s"]
        out.append(table([*headers, "lost/dup", "failed", "server CPU", "other CPU"], rows))
        out.append("(other CPU: cores used meanwhile by processes outside the benchmark; near 0 on a quiet machine)")
        bot = r["bot"]
        a, h = bot["answer_latency"], bot["handoff_latency"]
        out.append(
            f"Bot: {bot['questions']} questions in {bot['window']} s: {bot['answers']} answers "
            f"({bot['answers_per_s']}/s, p50 {fmt(a['p50'], 1)} ms, p99 {fmt(a['p99'], 1)} ms), "
            f"{bot['handoffs']} handoffs (p50 {fmt(h['p50'], 1)} ms), {bot['timeouts']} unanswered, "
            f"{bot['conversations']} conversations, {bot.get('in_flight')} questions in flight on average, "
            f"errors {bot['errors'] or 0}"
        )
        out.append("")
    return "\n".join(out)


def target_lines(results: dict[str, Any]) -> list[str]:
    """Issue 13's "live chat latency unchanged while the bot is busy": the figures, no verdict (a
    shared machine moves more than the bot does; read them with the quiet phases and other CPU)."""
    lines = []
    for run in results["runs"]:
        r = run.get("scenarios", {}).get("botbusy")
        if not r:
            continue
        quiet = [(r[k].get("latency") or {}) for k in ("quiet", "after") if k in r]
        busy = r["busy"].get("latency") or {}
        phases = [r[k] for k in ("quiet", "busy", "after") if k in r]
        lost = sum(ph.get("lost", 0) + ph.get("seq_gaps", 0) for ph in phases)
        dup = sum(ph.get("duplicates", 0) + ph.get("seq_repeats", 0) for ph in phases)

        p50 = " / ".join(fmt(q.get("p50")) for q in quiet)
        p99 = " / ".join(fmt(q.get("p99")) for q in quiet)
        lines.append(
            f"- chat latency with the bot busy: p50 {fmt(busy.get('p50'))} ms, p99 {fmt(busy.get('p99'))} ms; "
            f"without (before / after): p50 {p50} ms, p99 {p99} ms (target: unchanged); "
            f"lost / duplicated {lost} / {dup}"
        )
    return lines
