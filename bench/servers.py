"""Start and stop the server processes under test, and read their memory and CPU."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.common import REDIS_URL, ROOT, database_url, free_port, production_env


@dataclass(frozen=True)
class Variant:
    """What runs: ``app`` helpdesk|relay|wsrelay, on ``server`` daphne|uvicorn|websockets."""

    app: str
    server: str
    layer: str = "pubsub"  # pubsub|core (ignored by wsrelay)
    processes: int = 1

    @property
    def name(self) -> str:
        if self.app == "wsrelay":
            base = "websockets relay"
        else:
            base = f"{'helpdesk' if self.app == 'helpdesk' else 'channels relay'} {self.server} {self.layer}"
        return base + (f" x{self.processes}" if self.processes > 1 else "")

    @property
    def dialect(self) -> str:
        return "helpdesk" if self.app == "helpdesk" else "relay"


@dataclass
class Server:
    variant: Variant
    workdir: Path
    prefix: str
    count_sql: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def base_http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        v = self.variant
        if v.app == "wsrelay":
            return [sys.executable, "-m", "bench.ws_relay", "--port", str(self.port)]
        module = "bench.asgi_helpdesk:application" if v.app == "helpdesk" else "bench.asgi_relay:application"
        if v.server == "daphne":
            return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), module]
        if v.server == "uvicorn":
            return [
                sys.executable,
                "-m",
                "uvicorn",
                module,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ]
        raise ValueError(v.server)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH"}}
        env.update(production_env())
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DATABASE_URL": database_url(),
                "REDIS_URL": REDIS_URL,
                "CHANNEL_PREFIX": self.prefix,
                "BENCH_LAYER": self.variant.layer,
            }
        )
        if self.count_sql:
            env["BENCH_COUNT_SQL"] = "1"
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60.0) -> Server:
        self.log_path = self.workdir / f"server-{self.port}.log"
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.variant.name} exited with {self.process.returncode}:\n{self.output()}")
            try:
                self.stats()
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.variant.name} did not answer within {timeout}s:\n{self.output()}")

    def stats(self, collect: bool = False) -> dict:
        url = f"{self.base_http}/__bench/stats" + ("?gc=1" if collect else "")
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path else ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss(self) -> int:
        return psutil.Process(self.pid).memory_info().rss

    def cpu_seconds(self) -> float:
        times = psutil.Process(self.pid).cpu_times()
        return times.user + times.system

    def redis_ports(self) -> set[int]:
        """Local ports of this process's connections to Redis (to attribute MONITOR lines)."""
        redis_port = int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])
        return {
            c.laddr.port
            for c in psutil.Process(self.pid).net_connections(kind="tcp")
            if c.raddr and c.raddr.port == redis_port
        }

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def cpu_of(names: tuple[str, ...]) -> float:
    """CPU seconds used so far by every process whose name starts with one of ``names``."""
    total = 0.0
    for proc in psutil.process_iter(["name", "cpu_times"]):
        name = proc.info["name"] or ""
        if name.startswith(names) and proc.info["cpu_times"] is not None:
            total += proc.info["cpu_times"].user + proc.info["cpu_times"].system
    return total
