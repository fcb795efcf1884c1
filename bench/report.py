"""Turn the raw results into the tables of docs/performance.md, and summarise a py-spy profile."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

TARGETS = {"p99_ms": 25.0, "throughput_ratio": 0.5, "kib_per_idle": 64.0, "sql": 3.0, "redis": 2.0}


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b in (None, 0):
        return "-"
    return f"{a / b:.2f}x"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join([line, sep, *body])


def one_line(scenario: str, result: dict[str, Any]) -> str:
    if scenario in ("steady", "saturate", "light"):
        lat = result.get("latency") or {}
        return (
            f"p50 {fmt(lat.get('p50'), 2)} ms, p99 {fmt(lat.get('p99'), 2)} ms, "
            f"{fmt(result.get('stored_per_s'))} stored/s, {fmt(result.get('delivered_per_s'))} delivered/s, "
            f"lost {result.get('lost')}, dup {result.get('duplicates')}, errors {result.get('errors')}, "
            f"server CPU {result.get('cpu', {}).get('server')}"
        )
    if scenario == "idle":
        return ", ".join(f"{s['connections']}: {s['kib_per_connection']} KiB/conn" for s in result["steps"])
    if scenario == "churn":
        return (
            f"{result.get('cycles')} cycles, lost {result.get('lost')}, dup {result.get('duplicates')}, "
            f"overlaps {result.get('overlaps')}, RSS +{result.get('rss_growth', 0) // 1024} KiB"
        )
    if scenario == "botbusy":
        from bench import botreport

        return botreport.one_line(result)
    if scenario == "profile":
        return ", ".join(f"{k} busy {v}%" for k, v in result.get("busy", {}).items())
    return ""


# --- the tables ---------------------------------------------------------------------------------


def _runs(results: dict[str, Any], scenario: str) -> list[dict[str, Any]]:
    return [r for r in results["runs"] if scenario in r.get("scenarios", {})]


def _baselines(results: dict[str, Any], run: dict[str, Any], scenario: str) -> tuple[dict | None, dict | None]:
    """The channels relay on the same server, layer and process count (else the closest), and
    the websockets relay."""
    v = run["variant"]
    relays = [r for r in _runs(results, scenario) if r["variant"]["app"] == "relay"]
    same = [
        r
        for r in relays
        if r["variant"]["server"] == v["server"]
        and r["variant"]["layer"] == v["layer"]
        and r["variant"]["processes"] == v["processes"]
    ]
    close = same or [r for r in relays if r["variant"]["processes"] == v["processes"]] or relays
    ws = [r for r in _runs(results, scenario) if r["variant"]["app"] == "wsrelay"]
    return (close[0] if close else None), (ws[0] if ws else None)


def _lat(run: dict | None, scenario: str, key: str = "p99") -> float | None:
    if run is None:
        return None
    return (run["scenarios"][scenario].get("latency") or {}).get(key)


def _tput(run: dict | None, scenario: str = "saturate") -> float | None:
    if run is None:
        return None
    return run["scenarios"][scenario].get("stored_per_s")


def steady_table(results: dict[str, Any], scenario: str) -> str:
    rows = []
    for run in _runs(results, scenario):
        s = run["scenarios"][scenario]
        lat = s.get("latency") or {}
        relay, ws = _baselines(results, run, scenario)
        is_base = run["variant"]["app"] != "helpdesk"
        rows.append(
            [
                run["name"],
                fmt(lat.get("p50"), 2),
                fmt(lat.get("p95"), 2),
                fmt(lat.get("p99"), 2),
                fmt((s.get("latency_ack") or {}).get("p99"), 2),
                fmt(s.get("stored_per_s")),
                fmt(s.get("delivered_per_s")),
                f"{s.get('lost', '-')}/{s.get('duplicates', '-')}",
                fmt(s.get("failed", 0) + s.get("unacked", 0)),
                fmt(s.get("cpu", {}).get("server"), 2),
                "-" if is_base else ratio(lat.get("p99"), _lat(relay, scenario)),
                "-" if is_base else ratio(lat.get("p99"), _lat(ws, scenario)),
                "-" if is_base else ratio(s.get("stored_per_s"), _tput(relay, scenario)),
                "-" if is_base else ratio(s.get("stored_per_s"), _tput(ws, scenario)),
            ]
        )
    headers = [
        "variant",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "ack p99 ms",
        "stored/s",
        "delivered/s",
        "lost/dup",
        "failed",
        "server CPU",
        "p99 / ch. relay",
        "p99 / ws relay",
        "stored / ch. relay",
        "stored / ws relay",
    ]
    return table(headers, rows)


def idle_table(results: dict[str, Any]) -> str:
    rows = []
    runs = _runs(results, "idle")
    for run in runs:
        steps = run["scenarios"]["idle"]["steps"]
        relay, ws = _baselines(results, run, "idle")
        is_base = run["variant"]["app"] != "helpdesk"
        row = [run["name"], fmt(run["scenarios"]["idle"]["rss_before"] // 2**20) + " MiB"]
        for i, step in enumerate(steps):
            row.append(f"{step['kib_per_connection']:.1f}")
            if not is_base:
                rk = relay["scenarios"]["idle"]["steps"][i]["kib_per_connection"] if relay else None
                wk = ws["scenarios"]["idle"]["steps"][i]["kib_per_connection"] if ws else None
                row.append(f"{ratio(step['kib_per_connection'], rk)} / {ratio(step['kib_per_connection'], wk)}")
            else:
                row.append("-")
        rows.append(row)
    headers = ["variant", "RSS at start"]
    if runs:
        for step in runs[0]["scenarios"]["idle"]["steps"]:
            headers += [f"KiB/conn @{step['connections']}", "vs ch. / ws relay"]
    return table(headers, rows)


def counts_table(results: dict[str, Any]) -> str:
    rows = []
    for run in _runs(results, "counts"):
        for side in ("visitor", "agent"):
            c = run["scenarios"]["counts"][side]
            rows.append(
                [
                    run["name"],
                    side,
                    fmt(c["sql_statements"], 2),
                    fmt(c["sql_round_trips"], 2),
                    ", ".join(f"{k} {v:g}" for k, v in c["sql_by_verb"].items()),
                    fmt(c["redis_commands"], 2),
                    ", ".join(f"{k} {v:g}" for k, v in c["redis_by_command"].items()),
                    fmt(c["redis_lua_calls"], 2),
                    f"{fmt(c['latency']['p50'], 2)} / {fmt(c['latency']['p99'], 2)}" if "latency" in c else "-",
                ]
            )
    headers = [
        "variant",
        "sender",
        "SQL statements",
        "SQL round trips",
        "statements by verb",
        "Redis commands",
        "by command",
        "+ inside Lua",
        "unloaded delivery p50 / p99 ms",
    ]
    return table(headers, rows)


def churn_table(results: dict[str, Any]) -> str:
    rows = []
    for run in _runs(results, "churn"):
        c = run["scenarios"]["churn"]
        if "skipped" in c:
            continue
        cons_b = sum(c.get("consumers_before", {}).values())
        cons_a = sum(c.get("consumers_after", {}).values())
        sub_b = c.get("layer_before", {}).get("subscriptions", c.get("layer_before", {}).get("groups"))
        sub_a = c.get("layer_after", {}).get("subscriptions", c.get("layer_after", {}).get("groups"))
        rows.append(
            [
                run["name"],
                fmt(c["params"]["visitors"]),
                fmt(c.get("cycles")),
                fmt(c.get("agent_messages")),
                fmt(c.get("lost_to_visitors")),
                fmt(c.get("lost_to_agents")),
                fmt(c.get("duplicates")),
                fmt(c.get("overlaps")),
                fmt(sum(c.get("cycle_errors", {}).values())),
                f"{cons_b} -> {cons_a}",
                f"{fmt(sub_b)} -> {fmt(sub_a)}",
                f"{c.get('tasks_before')} -> {c.get('tasks_after')}",
                fmt(round(c.get("rss_growth", 0) / 2**20, 1)) + " MiB",
            ]
        )
    headers = [
        "variant",
        "visitors",
        "cycles",
        "agent msgs",
        "lost (to visitors)",
        "lost (to agents)",
        "duplicates",
        "resume overlaps",
        "cycle errors",
        "consumers",
        "layer subs",
        "tasks",
        "RSS growth",
    ]
    return table(headers, rows)


def targets(results: dict[str, Any]) -> str:
    lines = []
    by_name = {r["name"]: r for r in results["runs"]}

    def verdict(ok: bool | None) -> str:
        return "n/a" if ok is None else ("MET" if ok else "MISSED")

    for scenario in ("steady", "light"):
        main = next((r for r in _runs(results, scenario) if r["name"] == "helpdesk daphne pubsub"), None)
        if main:
            p99 = _lat(main, scenario)
            interval = results["load"][scenario]["interval"]
            lines.append(
                f"- p99 delivery at {results['load']['conversations']} conversations, one process, each side every "
                f"{interval:g} s: {fmt(p99, 2)} ms (target <= 25 ms): "
                f"{verdict(p99 is not None and p99 <= TARGETS['p99_ms'])}"
            )
    sat = next((r for r in _runs(results, "saturate") if r["name"] == "helpdesk daphne pubsub"), None)
    relay = by_name.get("channels relay daphne pubsub")
    if sat and relay and "saturate" in relay["scenarios"]:
        a, b = _tput(sat), _tput(relay)
        lines.append(
            f"- saturation throughput: {fmt(a)} msg/s vs the bare Channels relay's {fmt(b)} = {ratio(a, b)} "
            f"(target >= 0.50x): {verdict(a is not None and b and a / b >= TARGETS['throughput_ratio'])}"
        )
    idle = next((r for r in _runs(results, "idle") if r["name"] == "helpdesk daphne pubsub"), None)
    if idle:
        worst = max(s["kib_per_connection"] for s in idle["scenarios"]["idle"]["steps"])
        lines.append(
            f"- memory per idle visitor connection: {worst:.1f} KiB (target <= 64 KiB): "
            f"{verdict(worst <= TARGETS['kib_per_idle'])}"
        )
    counts = next((r for r in _runs(results, "counts") if r["name"] == "helpdesk daphne pubsub"), None)
    if counts:
        c = counts["scenarios"]["counts"]
        sql = max(c["visitor"]["sql_statements"], c["agent"]["sql_statements"])
        red = max(c["visitor"]["redis_commands"], c["agent"]["redis_commands"])
        lines.append(
            f"- SQL statements per message: visitor {c['visitor']['sql_statements']:g}, agent "
            f"{c['agent']['sql_statements']:g} (target <= 3): {verdict(sql <= TARGETS['sql'])}"
        )
        lines.append(
            f"- Redis commands per message: visitor {c['visitor']['redis_commands']:g}, agent "
            f"{c['agent']['redis_commands']:g} (target <= 2): {verdict(red <= TARGETS['redis'])}"
        )
    if _runs(results, "botbusy"):
        from bench import botreport

        lines += botreport.target_lines(results)
    lost = dup = 0
    checked = 0
    for run in results["runs"]:
        if run["variant"]["app"] != "helpdesk":
            continue
        for name, s in run.get("scenarios", {}).items():
            if name in ("steady", "saturate", "churn", "counts"):
                checked += 1
                if name == "counts":
                    lost += sum(s[k]["lost"] for k in ("visitor", "agent"))
                    dup += sum(s[k]["duplicates"] for k in ("visitor", "agent"))
                else:
                    lost += s.get("lost", 0) + s.get("seq_gaps", 0)
                    dup += s.get("duplicates", 0) + s.get("seq_repeats", 0)
    if checked:
        lines.append(
            f"- lost / duplicated messages over {checked} helpdesk runs: {lost} / {dup} (target 0 / 0): "
            f"{verdict(lost == 0 and dup == 0)}"
        )
    return "\n".join(lines)


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    load = results["load"]
    out = [
        f"Helpdesk benchmarks ({results['profile']} run, {results['seconds']} s)",
        f"Machine: {m['nproc']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB; Python {m['python']}, "
        f"PostgreSQL {m['postgresql']}, Redis {m['redis']}; Django {m['django']}, Channels {m['channels']}, "
        f"channels-redis {m['channels_redis']}, daphne {m['daphne']}, uvicorn {m['uvicorn']}, "
        f"websockets {m['websockets']}",
        f"Load: {load['conversations']} conversations ({load['visitors']} visitors, {load['agents']} agents in "
        f"{load['inboxes']} inboxes), {load['workers']} load generator processes",
        "",
    ]
    errors = [f"- {r['name']}: {r['error']}" for r in results["runs"] if r.get("error")]
    if errors:
        out += ["ERRORS", *errors, ""]
    st = load["steady"]
    if _runs(results, "steady"):
        out += [
            f"Steady 1:1 chats: each side sends every {st['interval']} s on average for {st['duration']} s "
            f"(latency: send -> the other side reads message.new)",
            steady_table(results, "steady"),
            "",
        ]
    lt = load.get("light")
    if lt and _runs(results, "light"):
        out += [
            f"Light steady chats: each side every {lt['interval']} s on average for {lt['duration']} s",
            steady_table(results, "light"),
            "",
        ]
    if _runs(results, "saturate"):
        out += [
            f"Saturation: every side keeps one message in flight for {load['saturate']['duration']} s",
            steady_table(results, "saturate"),
            "",
        ]
    if _runs(results, "idle"):
        out += ["Memory per idle visitor connection (server RSS growth / connections)", idle_table(results), ""]
    if _runs(results, "counts"):
        out += ["Exact counts per message (one message at a time)", counts_table(results), ""]
    if _runs(results, "churn"):
        out += ["Connect/disconnect churn (visitors reconnect and resume; agents keep writing)", churn_table(results)]
        out.append("")
    if _runs(results, "botbusy"):
        from bench import botreport

        out.append(botreport.render(results))
    prof = next((r["scenarios"]["profile"] for r in _runs(results, "profile")), None)
    if prof and "categories" in prof:
        out += [f"Profile of the server under the {prof.get('load', 'saturate')} load (py-spy; share of wall time)"]
        for role, cats in prof.get("threads", {}).items():
            out += [f"  {role}: busy {prof['busy'].get(role)}% of the time"]
            out += [f"    {k}: {v}%" for k, v in list(cats.items())[:8]]
        out += ["  hottest app frames (inclusive):"]
        out += [f"    {v}%  {k}" for k, v in prof["app_inclusive"][:10]]
        out.append("")
    out += ["Targets", targets(results)]
    return "\n".join(out)


# --- profiles -----------------------------------------------------------------------------------

CATEGORIES = [
    ("psycopg", "PostgreSQL driver (psycopg, incl. connecting)"),
    ("django/db/", "Django ORM and database wrapper"),
    ("channels_redis", "channel layer (channels-redis)"),
    ("redis/", "Redis client"),
    ("/json/", "JSON"),
    ("msgpack", "msgpack"),
    ("autobahn", "server: daphne/Twisted/autobahn"),
    ("twisted", "server: daphne/Twisted/autobahn"),
    ("daphne", "server: daphne/Twisted/autobahn"),
    ("uvicorn", "server: uvicorn/websockets"),
    ("websockets", "server: uvicorn/websockets"),
    ("asgiref", "asgiref (thread hops)"),
    ("channels/", "Channels consumers and routing"),
    ("chat/", "helpdesk app code"),
    ("agents/", "helpdesk app code"),
    ("concurrent/futures", "thread pool"),
    ("threading.py", "thread pool"),
    ("asyncio", "asyncio event loop"),
    ("selectors.py", "asyncio event loop"),
]


def _category(stack: list[str]) -> str:
    for frame in reversed(stack):  # from the leaf up: the lowest layer we know wins
        for needle, name in CATEGORIES:
            if needle in frame:
                return name
    return "other"


# Leaves where a thread waits for work rather than doing any.
IDLE_LEAVES = ("EpollSelector.select", "_worker (concurrent/futures/thread.py:81)")


def profile_summary(path: Path) -> dict[str, Any]:
    """Summarise py-spy's raw output (recorded with --idle --threads).

    For the event loop thread and the database thread (the one ``database_sync_to_async``
    uses): how much of the wall time each was busy, and where. "Busy" includes the database
    thread waiting for PostgreSQL: that wait holds up every socket of the process.
    """
    threads: dict[str, Counter[str]] = {}
    walls: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    busy_total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not stack_text or not count_text.isdigit():
            continue
        count = int(count_text)
        stack = stack_text.split(";")
        thread = stack[0]
        if thread.startswith("thread ("):
            name = thread.split(":", 1)[1].strip() if ":" in thread else thread
            stack = stack[1:]
        else:
            name = "?"
        if name.startswith("ThreadPoolExecutor-0"):
            role = "database thread"
        elif name == "MainThread":
            role = "event loop thread"
        else:
            continue  # the pool's housekeeping threads, idle
        walls[role] += count
        if not stack or stack[-1].startswith(IDLE_LEAVES):
            continue
        busy_total += count
        threads.setdefault(role, Counter())[_category(stack)] += count
        own[stack[-1]] += count
        for frame in set(stack):
            inclusive[frame] += count
    if not busy_total:
        return {"error": "no samples"}

    def pct(n: int, of: int) -> float:
        return round(100 * n / of, 1) if of else 0.0

    app = [
        (f, pct(n, busy_total))
        for f, n in inclusive.most_common()
        if "(chat/" in f or "(agents/" in f or "(helpdesk/" in f or "/chat/" in f or "/agents/" in f
    ]
    categories: Counter[str] = Counter()
    for counter in threads.values():
        categories.update(counter)
    return {
        "samples": busy_total,
        "busy": {role: pct(sum(threads.get(role, Counter()).values()), walls[role]) for role in walls},
        "threads": {
            role: {k: pct(v, walls[role]) for k, v in counter.most_common()} for role, counter in threads.items()
        },
        "categories": {k: pct(v, busy_total) for k, v in categories.most_common()},
        "app_inclusive": app[:25],
        "own": [(f, pct(n, busy_total)) for f, n in own.most_common(25)],
        "inclusive": [(f, pct(n, busy_total)) for f, n in inclusive.most_common(40)],
    }
