"""Run the benchmarks and print the table.

    .venv/bin/python -m bench.run --quick      # a short run, under 5 minutes
    .venv/bin/python -m bench.run              # the full run behind docs/performance.md

The harness recreates the ``helpdesk_bench`` PostgreSQL database, migrates and seeds it, then
for each variant (the helpdesk and its two baselines, on daphne and uvicorn, with the
Pub/Sub and the core channel layer) starts real server processes, drives them with load
generator processes (``bench.loadgen``) and reads their memory and CPU. Every scenario has a
time limit; every process it starts is stopped at the end, also on Ctrl+C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

import psutil

from bench import botload, database, report
from bench.common import REDIS_URL, ROOT, raise_fd_limit, summarize
from bench.servers import Server, Variant, cpu_of

PROFILES: dict[str, dict[str, Any]] = {
    "quick": {
        "conversations": 1000,
        "agents_per_inbox": 2,
        "per_agent": 5,
        "idle": [1000],
        "steady": {"duration": 10, "interval": 5.0, "warmup": 2, "drain": 60},
        "light": {"duration": 8, "interval": 20.0, "warmup": 2, "drain": 30},
        "saturate": {"duration": 6, "warmup": 2, "drain": 60, "conversations": 200},
        "churn": {"duration": 6, "visitors": 100, "agent_interval": 1.0, "hold": [0.1, 0.5], "drain": 20},
        "counts": {"messages": 60},
        "profile": {"duration": 10},
        # bench/botload.py: the light load for ``duration`` s without, then with, the bot kept busy
        "botbusy": {"duration": 12, "visitors": 8, "per_conversation": 4, "think": 0.0, "bot_warmup": 3},
    },
    "full": {
        "conversations": 1000,
        "agents_per_inbox": 2,
        "per_agent": 5,
        "idle": [1000, 5000],
        "steady": {"duration": 10, "interval": 5.0, "warmup": 2, "drain": 60},
        "light": {"duration": 20, "interval": 20.0, "warmup": 4, "drain": 30},
        "saturate": {"duration": 12, "warmup": 3, "drain": 60, "conversations": 200},
        "churn": {"duration": 15, "visitors": 200, "agent_interval": 1.0, "hold": [0.1, 0.8], "drain": 30},
        "counts": {"messages": 100},
        "profile": {"duration": 12},
        "botbusy": {"duration": 20, "visitors": 8, "per_conversation": 4, "think": 0.0, "bot_warmup": 3},
    },
}

H = "helpdesk"
R = "relay"
W = "wsrelay"

# (variant, scenarios). The order inside a variant matters: idle first on a fresh server.
PLANS: dict[str, list[tuple[Variant, list[str]]]] = {
    "quick": [
        (Variant(H, "daphne", "pubsub"), ["idle", "light", "saturate", "churn"]),
        (Variant(R, "daphne", "pubsub"), ["idle", "light", "saturate"]),
        (Variant(W, "websockets"), ["idle", "light", "saturate"]),
        (Variant(H, "daphne", "pubsub"), ["counts"]),
    ],
    "full": [
        (Variant(H, "daphne", "pubsub"), ["idle", "light", "steady", "saturate", "churn"]),
        (Variant(R, "daphne", "pubsub"), ["idle", "light", "steady", "saturate"]),
        (Variant(W, "websockets"), ["idle", "light", "steady", "saturate"]),
        (Variant(H, "uvicorn", "pubsub"), ["light", "saturate"]),
        (Variant(R, "uvicorn", "pubsub"), ["light", "saturate"]),
        (Variant(H, "daphne", "core"), ["light", "saturate"]),
        (Variant(R, "daphne", "core"), ["light", "saturate"]),
        (Variant(H, "daphne", "pubsub", processes=2), ["saturate"]),
        (Variant(R, "daphne", "pubsub", processes=2), ["saturate"]),
        (Variant(H, "daphne", "pubsub"), ["counts", "profile"]),
        (Variant(H, "daphne", "core"), ["counts"]),
        (Variant(H, "daphne", "pubsub"), ["botbusy"]),
    ],
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def log_file(path: Path):
    return open(path, "ab")  # handed to the child process


class Worker:
    """One load generator process, spoken to in JSON lines."""

    def __init__(self, proc: asyncio.subprocess.Process, index: int) -> None:
        self.proc, self.index = proc, index

    @classmethod
    async def start(cls, spec: dict[str, Any], workdir: Path, index: int, module: str = "bench.loadgen") -> Worker:
        path = workdir / f"worker-{index}-{uuid.uuid4().hex[:6]}.json"
        path.write_text(json.dumps(spec))
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
            str(path),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=log_file(workdir / f"worker-{index}.log"),
            limit=2**28,
        )
        worker = cls(proc, index)
        await worker.answer(60)
        return worker

    async def answer(self, limit: float) -> dict[str, Any]:
        line = await asyncio.wait_for(self.proc.stdout.readline(), limit)
        if not line:
            raise RuntimeError(f"load generator {self.index} exited")
        return json.loads(line)

    async def call(self, limit: float, cmd: str, **kwargs: Any) -> dict[str, Any]:
        self.proc.stdin.write((json.dumps({"cmd": cmd, **kwargs}) + "\n").encode())
        await self.proc.stdin.drain()
        result = await self.answer(limit)
        if "exception" in result:
            raise RuntimeError(f"load generator {self.index}: {cmd} failed: {result['exception']}")
        return result

    def cpu_seconds(self) -> float:
        with contextlib.suppress(psutil.Error):
            t = psutil.Process(self.proc.pid).cpu_times()
            return t.user + t.system
        return 0.0

    async def stop(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(Exception):
                self.proc.stdin.write(b'{"cmd": "exit"}\n')
                await self.proc.stdin.drain()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


class CpuWindow:
    """CPU used during a window: the servers, the load generators, Redis and the machine."""

    def __init__(self, servers: list[Server], workers: list[Worker]) -> None:
        self.servers, self.workers = servers, workers

    def __enter__(self) -> CpuWindow:
        self.t0 = time.monotonic()
        self.s0 = sum(s.cpu_seconds() for s in self.servers)
        self.w0 = sum(w.cpu_seconds() for w in self.workers)
        self.r0 = cpu_of(("redis-server",))
        self.p0 = cpu_of(("postgres",))
        self.m0 = psutil.cpu_times()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.monotonic() - self.t0
        m1 = psutil.cpu_times()
        busy = (sum(m1) - m1.idle - m1.iowait) - (sum(self.m0) - self.m0.idle - self.m0.iowait)
        server = (sum(s.cpu_seconds() for s in self.servers) - self.s0) / wall
        loadgen = (sum(w.cpu_seconds() for w in self.workers) - self.w0) / wall
        redis = (cpu_of(("redis-server",)) - self.r0) / wall
        postgres = (cpu_of(("postgres",)) - self.p0) / wall
        self.result = {
            "wall": round(wall, 2),
            "server": round(server, 2),
            "loadgen": round(loadgen, 2),
            "redis": round(redis, 2),
            "postgres": round(postgres, 2),
            "machine": round(busy / wall, 2),
            # whatever else ran on the machine meanwhile (noise: should be near 0)
            "other": round(max(0.0, busy / wall - server - loadgen - redis - postgres), 2),
        }


def merge(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Add the workers' counters, pool their latencies."""
    out: dict[str, Any] = {}
    for result in results:
        for key, value in result.items():
            if isinstance(value, list):
                out.setdefault(key, []).extend(value)
            elif isinstance(value, dict):
                target = out.setdefault(key, {})
                for k, v in value.items():
                    if isinstance(v, int | float):
                        target[k] = target.get(k, 0) + v
            elif isinstance(value, bool) or not isinstance(value, int | float):
                out[key] = value
            elif key == "window":
                out[key] = max(out.get(key, 0), value)
            else:
                out[key] = out.get(key, 0) + value
    if "latency_v2a" in out and "latency_a2v" in out:
        out["latency"] = summarize(out["latency_v2a"] + out["latency_a2v"])
    for key in ("latency_v2a", "latency_a2v", "latency_ack"):
        if key in out:
            out[key] = summarize(out[key])
    if out.get("window"):
        out["stored_per_s"] = round(out.get("acks_in_window", 0) / out["window"], 1)
        out["delivered_per_s"] = round(out.get("deliveries_in_window", 0) / out["window"], 1)
    return out


async def monitor_redis(ports: set[int], stop: asyncio.Event) -> dict[str, Any]:
    """Count the commands Redis receives from ``ports`` while ``stop`` is unset (MONITOR)."""
    host, port = REDIS_URL.split("//", 1)[1].split("/", 1)[0].split(":")
    reader, writer = await asyncio.open_connection(host, int(port), limit=2**24)
    writer.write(b"MONITOR\r\n")
    await writer.drain()
    await reader.readline()  # +OK
    top: dict[str, int] = {}
    lua: dict[str, int] = {}
    ours_in_lua = False
    try:
        while not stop.is_set():
            try:
                line = await asyncio.wait_for(reader.readline(), 0.2)
            except TimeoutError:
                continue
            text = line.decode("latin-1")
            try:
                client = text.split("[", 1)[1].split("]", 1)[0]
                command = text.split('] "', 1)[1].split('"', 1)[0].upper()
            except IndexError:
                continue
            if client.endswith(" lua"):
                if ours_in_lua:
                    lua[command] = lua.get(command, 0) + 1
                continue
            client_port = int(client.rsplit(":", 1)[1]) if ":" in client else -1
            ours_in_lua = client_port in ports and command.startswith("EVAL")
            if client_port in ports:
                top[command] = top.get(command, 0) + 1
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    return {"commands": top, "lua": lua}


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.profile = PROFILES["quick" if args.quick else "full"]
        self.plan = PLANS["quick" if args.quick else "full"]
        if args.only:
            wanted = set(args.only.split(","))
            self.plan = [(v, [s for s in scen if s in wanted]) for v, scen in self.plan]
            self.plan = [(v, s) for v, s in self.plan if s]
            if "profile" in wanted and not any("profile" in s for _, s in self.plan):
                self.plan.append((Variant(H, "daphne", "pubsub"), ["profile"]))
            if "botbusy" in wanted and not any("botbusy" in s for _, s in self.plan):
                self.plan.append((Variant(H, "daphne", "pubsub"), ["botbusy"]))
        if args.variants:
            names = [n.strip() for n in args.variants.split(";")]
            self.plan = [(v, s) for v, s in self.plan if v.name in names]
        self.workdir = Path(args.workdir or tempfile.mkdtemp(prefix="helpdesk-bench-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.results: dict[str, Any] = {"runs": [], "server_env": args.server_env}
        self.servers: list[Server] = []
        self.workers: list[Worker] = []

    # --- setup --------------------------------------------------------------------------------

    def machine(self) -> dict[str, Any]:
        cpu_model = ""
        with contextlib.suppress(OSError):
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break

        def version(cmd: list[str]) -> str:
            try:
                return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                return "?"

        import channels
        import channels_redis
        import daphne
        import django
        import uvicorn
        import websockets

        pg = version(["psql", database.database_url(), "-tAc", "SHOW server_version"])
        redis_info = version(["redis-cli", "-u", REDIS_URL, "INFO", "server"])
        redis_version = next((ln.split(":", 1)[1] for ln in redis_info.splitlines() if "redis_version" in ln), "?")
        return {
            "nproc": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "cpu_model": cpu_model,
            "python": platform.python_version(),
            "postgresql": pg,
            "redis": redis_version.strip(),
            "django": django.__version__,
            "channels": channels.__version__,
            "channels_redis": getattr(channels_redis, "__version__", "?"),
            "daphne": daphne.__version__,
            "uvicorn": uvicorn.__version__,
            "websockets": websockets.__version__,
        }

    def worker_specs(self, variant: Variant, servers: list[Server]) -> list[dict[str, Any]]:
        fixture = self.fixture
        n = self.args.workers
        inboxes = fixture["inboxes"]
        idle_tokens = fixture["idle"]["tokens"]
        share = (len(idle_tokens) + n - 1) // n
        specs = []
        run = uuid.uuid4().hex[:6]
        for i in range(n):
            specs.append(
                {
                    "worker": i,
                    "run": run,
                    "dialect": variant.dialect,
                    "visitor_base": servers[0].base_ws,
                    "agent_base": servers[-1].base_ws,
                    "origin": fixture["origin"],
                    "inboxes": inboxes[i::n],
                    "idle_key": fixture["idle"]["key"],
                    "idle_tokens": idle_tokens[i * share : (i + 1) * share],
                }
            )
        return specs

    async def start_variant(self, variant: Variant, *, count_sql: bool = False) -> None:
        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        self.servers = [Server(variant, self.workdir, prefix, count_sql=count_sql) for _ in range(variant.processes)]
        for server in self.servers:
            await asyncio.to_thread(server.start)
        specs = self.worker_specs(variant, self.servers)
        self.workers = list(await asyncio.gather(*(Worker.start(s, self.workdir, i) for i, s in enumerate(specs))))

    async def stop_variant(self) -> None:
        await asyncio.gather(*(w.stop() for w in self.workers), return_exceptions=True)
        for server in self.servers:
            await asyncio.to_thread(server.stop)
        self.workers, self.servers = [], []

    async def call_all(self, limit: float, cmd: str, **kwargs: Any) -> list[dict[str, Any]]:
        return list(await asyncio.gather(*(w.call(limit, cmd, **kwargs) for w in self.workers)))

    async def connect(self) -> dict[str, Any]:
        results = await self.call_all(180, "connect")
        failures = sum(r["failures"] for r in results)
        if failures:
            raise RuntimeError(f"{failures} sockets failed to connect: {results[0]['failure_sample']}")
        await asyncio.sleep(1.0)
        return {"seconds": max(r["seconds"] for r in results)}

    async def quiesce(self, limit: float = 90.0) -> None:
        """Wait until the servers are idle (a backlog of the last scenario must not leak into the next)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            before = sum(s.cpu_seconds() for s in self.servers)
            await asyncio.sleep(0.5)
            if (sum(s.cpu_seconds() for s in self.servers) - before) / 0.5 < 0.08 * len(self.servers):
                return

    # --- scenarios ----------------------------------------------------------------------------

    async def scenario_idle(self) -> dict[str, Any]:
        server = self.servers[0]
        steps = self.profile["idle"]
        # warm up the code paths (imports, caches, first allocations) with a short burst
        await self.call_all(120, "idle_open", count=50 // len(self.workers), offset=0)
        await self.call_all(60, "idle_close")
        await asyncio.sleep(1)
        server.stats(collect=True)
        rss0 = server.rss()
        out: dict[str, Any] = {"rss_before": rss0, "steps": []}
        opened = 0
        per_worker_opened = 0
        for total in steps:
            more = (total - opened) // len(self.workers)
            results = await self.call_all(300, "idle_open", count=more, offset=per_worker_opened)
            per_worker_opened += more
            failures = sum(r["failures"] for r in results)
            opened += sum(r["opened"] for r in results)
            await asyncio.sleep(2)
            server.stats(collect=True)
            rss = server.rss()
            out["steps"].append(
                {
                    "connections": opened,
                    "failures": failures,
                    "rss": rss,
                    "kib_per_connection": round((rss - rss0) / max(opened, 1) / 1024, 1),
                    "open_seconds": max(r["seconds"] for r in results),
                }
            )
            log(f"  idle {opened}: {out['steps'][-1]['kib_per_connection']} KiB per connection")
        await self.call_all(120, "idle_close")
        await asyncio.sleep(2)
        out["rss_after_close"] = server.rss()
        return out

    async def scenario_light(self) -> dict[str, Any]:
        """The steady scenario at a quarter of the rate: what one process sustains comfortably."""
        return await self.scenario_steady(self.profile["light"])

    async def scenario_steady(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        p = dict(params or self.profile["steady"])
        if self.args.interval and params is None:
            p["interval"] = self.args.interval
        with CpuWindow(self.servers, self.workers) as cpu:
            results = await self.call_all(p["duration"] + p["drain"] + 180, "steady", **p)
        out = merge(results)
        out["cpu"] = cpu.result
        out["params"] = p
        return out

    async def scenario_saturate(self) -> dict[str, Any]:
        p = dict(self.profile["saturate"])
        p["conversations"] = max(1, p["conversations"] // len(self.workers))
        with CpuWindow(self.servers, self.workers) as cpu:
            results = await self.call_all(p["duration"] + p["drain"] + 120, "saturate", **p)
        out = merge(results)
        out["cpu"] = cpu.result
        out["params"] = p
        return out

    async def scenario_churn(self) -> dict[str, Any]:
        p = dict(self.profile["churn"])
        server = self.servers[0]
        per_worker = max(1, p.pop("visitors") // len(self.workers))
        before = server.stats(collect=True)
        rss0 = server.rss()
        results = await self.call_all(p["duration"] + p["drain"] + 180, "churn", visitors=per_worker, **p)
        await asyncio.sleep(2)
        after = server.stats(collect=True)
        out = merge(results)
        out.update(
            {
                "params": {**p, "visitors": per_worker * len(self.workers)},
                "rss_growth": server.rss() - rss0,
                "consumers_before": before.get("consumers", {}),
                "consumers_after": after.get("consumers", {}),
                "layer_before": before.get("layer", {}),
                "layer_after": after.get("layer", {}),
                "tasks_before": before.get("tasks"),
                "tasks_after": after.get("tasks"),
            }
        )
        return out

    async def scenario_counts(self) -> dict[str, Any]:
        """Exact SQL statements and Redis commands per message, one message at a time."""
        server = self.servers[0]
        worker = self.workers[0]
        n = self.profile["counts"]["messages"]
        await self.call_all(30, "pings", on=False)  # nothing but the counted messages in the window
        await worker.call(120, "sequence", count=10, from_visitor=True)  # warm up pools and caches
        await worker.call(120, "sequence", count=10, from_visitor=False)
        out: dict[str, Any] = {}
        for side, from_visitor in (("visitor", True), ("agent", False)):
            ports = server.redis_ports()
            stop = asyncio.Event()
            monitor = asyncio.create_task(monitor_redis(ports, stop))
            await asyncio.sleep(0.5)
            sql0 = server.stats()["sql"]
            result = await worker.call(300, "sequence", count=n, from_visitor=from_visitor)
            sql1 = server.stats()["sql"]
            await asyncio.sleep(0.5)
            stop.set()
            redis = await monitor
            messages = result["messages"]
            sql = {k: sql1.get(k, 0) - sql0.get(k, 0) for k in sql1}
            statements = sql.get("statements", 0)
            transactions = sql.get("transactions", 0)
            redis_total = sum(redis["commands"].values())
            out[side] = {
                "messages": messages,
                "sql_statements": round(statements / messages, 2),
                "sql_round_trips": round((statements + 2 * transactions) / messages, 2),
                "sql_by_verb": {k: round(v / messages, 2) for k, v in sql.items() if k.isupper() and v},
                "redis_commands": round(redis_total / messages, 2),
                "redis_by_command": {k: round(v / messages, 2) for k, v in sorted(redis["commands"].items())},
                "redis_lua_calls": round(sum(redis["lua"].values()) / messages, 2),
                "lost": result["lost"],
                "duplicates": result["duplicates"],
                "latency": summarize(result["latency_v2a"] + result["latency_a2v"]),
                "ack": summarize(result["latency_ack"]),
            }
            log(
                f"  {side}: {out[side]['sql_statements']} SQL statements, "
                f"{out[side]['redis_commands']} Redis commands per message, "
                f"unloaded delivery p50 {out[side]['latency']['p50']} ms"
            )
        await self.call_all(30, "pings", on=True)
        return out

    async def scenario_profile(self) -> dict[str, Any]:
        """py-spy on the server under load (a separate run: its numbers are not the measured ones)."""
        server = self.servers[0]
        load = self.args.profile_load
        p = dict(self.profile[load])
        if load == "saturate":
            p["conversations"] = max(1, p["conversations"] // len(self.workers))
        elif self.args.interval:
            p["interval"] = self.args.interval
        duration = self.profile["profile"]["duration"]
        p["duration"] = duration + 4
        raw = self.workdir / "profile.txt"
        spy = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(server.pid),
            "--duration",
            str(duration),
            "--rate",
            "200",
            "--idle",
            "--threads",
            "--format",
            "raw",
            "--output",
            str(raw),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        calls = asyncio.gather(*(w.call(p["duration"] + p["drain"] + 120, load, **p) for w in self.workers))
        await asyncio.sleep(2)
        await asyncio.wait_for(spy.wait(), duration + 60)
        await calls
        result = report.profile_summary(raw) if raw.exists() else {"error": "py-spy wrote nothing"}
        result["load"] = load
        return result

    async def scenario_botbusy(self) -> dict[str, Any]:
        """Chat latency without, then with, the bot kept busy (bench/botload.py)."""
        return await botload.scenario(self)

    # --- the run ------------------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        started = time.monotonic()
        raise_fd_limit()
        p = self.profile
        self.results["machine"] = self.machine()
        self.results["profile"] = "quick" if self.args.quick else "full"
        log(f"preparing the database ({p['conversations']} conversations, {max(p['idle'])} idle contacts)")
        self.fixture = await asyncio.to_thread(
            database.prepare,
            self.workdir,
            conversations=p["conversations"],
            agents_per_inbox=p["agents_per_inbox"],
            per_agent=p["per_agent"],
            idle=max(p["idle"]),
        )
        if any("botbusy" in s for _, s in self.plan):
            log("adding the bot inbox and the demo knowledge base (embeds the articles)")
            self.fixture["bot"] = await asyncio.to_thread(botload.prepare, self.workdir)
            bot = self.fixture["bot"]
            log(f"  {bot['articles']} articles, {len(bot['questions'])} questions, in {bot['prepare_seconds']} s")
        self.results["setup_seconds"] = self.fixture["prepare_seconds"]
        agents = sum(len(i["agents"]) for i in self.fixture["inboxes"])
        self.results["load"] = {
            "conversations": p["conversations"],
            "visitors": p["conversations"],
            "agents": agents,
            "inboxes": len(self.fixture["inboxes"]),
            "workers": self.args.workers,
            "steady": {**p["steady"], **({"interval": self.args.interval} if self.args.interval else {})},
            "light": p["light"],
            "saturate": p["saturate"],
            "botbusy": p["botbusy"],
        }
        if "bot" in self.fixture:
            self.results["bot_setup_seconds"] = self.fixture["bot"]["prepare_seconds"]
        for variant, scenarios in self.plan:
            log(f"{variant.name}: {', '.join(scenarios)}")
            count_sql = "counts" in scenarios
            await self.start_variant(variant, count_sql=count_sql)
            run: dict[str, Any] = {"variant": asdict(variant), "name": variant.name, "scenarios": {}}
            self.results["runs"].append(run)
            try:
                run["rss_start"] = sum(s.rss() for s in self.servers)
                connected = False
                for scenario in scenarios:
                    if scenario != "idle" and not connected:
                        run["connect"] = await self.connect()
                        connected = True
                        run["rss_connected"] = sum(s.rss() for s in self.servers)
                    await self.quiesce()
                    t0 = time.monotonic()
                    result = await getattr(self, f"scenario_{scenario}")()
                    result["seconds"] = round(time.monotonic() - t0, 1)
                    run["scenarios"][scenario] = result
                    log(f"  {scenario}: {report.one_line(scenario, result)}")
            except Exception as exc:
                run["error"] = repr(exc)
                log(f"  FAILED: {exc!r}")
                for server in self.servers:
                    log(server.output()[-1500:])
            finally:
                await self.stop_variant()
        self.results["seconds"] = round(time.monotonic() - started, 1)
        return self.results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the short run (under 5 minutes)")
    parser.add_argument(
        "--only", help="comma-separated scenarios: idle,light,steady,saturate,churn,counts,profile,botbusy"
    )
    parser.add_argument(
        "--variants", help="semicolon-separated variant names to keep, e.g. 'helpdesk daphne pubsub;websockets relay'"
    )
    parser.add_argument("--interval", type=float, help="steady scenario: mean seconds between a side's messages")
    parser.add_argument(
        "--profile-load", choices=["saturate", "steady"], default="saturate", help="the load the profile runs under"
    )
    parser.add_argument("--workers", type=int, default=2, help="load generator processes (default 2)")
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="KEY=VALUE", help="extra environment of the servers"
    )
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--workdir", help="where logs and the fixture go (default: a new temp dir)")
    args = parser.parse_args()
    bench = Bench(args)
    try:
        results = asyncio.run(bench.run())
    except KeyboardInterrupt:
        for server in bench.servers:
            server.stop()
        # Keep what was measured before the interruption: a full run takes a while.
        if args.json:
            Path(args.json).write_text(json.dumps(bench.results, indent=1, default=str))
            log(f"interrupted; the results so far are in {args.json}")
        raise
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(report.render(results))
    log(f"done in {results['seconds']}s; logs in {bench.workdir}")


if __name__ == "__main__":
    main()
