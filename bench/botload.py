"""The ``botbusy`` scenario: does live chat between visitors and agents slow down while the bot is busy?

The bot answers on two threads of its own inside the server process (bot/live.py), so its work
should not hold up a visitor's message to a human. This scenario measures that, in one server run:

1. *quiet*: the ``light`` human load (the steady 1:1 chats of the seeded inboxes) alone;
2. *busy*: the same load again while a separate load generator process keeps the bot busy:
   ``visitors`` closed-loop bot visitors in a bot-enabled inbox, each a new contact that starts a
   conversation with a question, asks the next one as soon as the bot has answered (up to
   ``per_conversation`` questions), and leaves after the last one or a handoff;
3. *after*: the human load alone once more, so that a machine that drifted meanwhile (other
   processes starting or stopping) shows as two quiet phases that disagree.

It reports the human chat latency (send -> the counterpart reads ``message.new``) of the phases
side by side, and the bot's answer time (the visitor's send -> it reads the bot's ``message.new``,
or the handoff's ``conversation.updated``) with its answer and handoff counts.

The bot inbox and the demo knowledge base are added to the bench database by ``prepare``
(``python -m bench.botload seed``: importing embeds the articles, so it is done once, before the
servers start). The bot worker is ``python -m bench.botload SPEC.json``: the load generator of
bench.loadgen with the bot commands added. bench/botreport.py prints its table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import loadgen
from bench.common import ROOT, summarize

if TYPE_CHECKING:
    from bench.run import Bench

KB_FILE = ROOT / "knowledge" / "fixtures" / "demo_kb.jsonl"
QUESTIONS_FILE = ROOT / "tests" / "bot_eval" / "data" / "questions_tune.jsonl"
now = time.monotonic


# --- preparing the database (orchestrator side) -------------------------------------------------


def prepare(workdir: Path) -> dict[str, Any]:
    """Add the bot inbox and the demo knowledge base to the bench database; return the bot fixture
    (the inbox's key and the questions to ask)."""
    from bench.database import django_env

    started = time.monotonic()
    out = workdir / "bot-fixture.json"
    subprocess.run(
        [sys.executable, "-m", "bench.botload", "seed", "--out", str(out)],
        cwd=ROOT,
        env=django_env(),
        check=True,
        timeout=900,
    )
    fixture = json.loads(out.read_text())
    fixture["prepare_seconds"] = round(time.monotonic() - started, 1)
    return fixture


def seed(out: str) -> None:
    """In a Django process: the bot-enabled inbox (no agents), the published demo articles, and
    the questions to ask: the tuning questions the bot answers (asked through ``decide`` here, as
    the live bot would).

    A question the bot hands off would leave its conversation waiting in the queue for good (no
    agent works this inbox), and every later handoff tells each waiting contact its queue position:
    a cost that grows with the run and has nothing to do with the bot thinking. With only answered
    questions the load is the bot's own work: a turn, a stored question and a stored answer.
    """
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from bench.common import VISITOR_ORIGIN
    from bot.answering import Answer, decide
    from bot.live import question_locale
    from chat.models import Inbox
    from knowledge import services
    from knowledge.choices import ArticleStatus

    started = time.monotonic()
    inbox = Inbox.objects.create(name="Bench bot inbox", allowed_origins=[VISITOR_ORIGIN], bot_enabled=True)
    result = services.articles_import(lines=KB_FILE.read_text("utf-8").splitlines(), status=ArticleStatus.PUBLISHED)
    lines = QUESTIONS_FILE.read_text("utf-8").splitlines()
    tried = [q["q"] for q in map(json.loads, filter(None, lines))]
    answered = [q for q in tried if isinstance(decide(question=q, locale=question_locale(q), llm=False), Answer)]
    fixture = {
        "id": inbox.pk,
        "key": inbox.public_key,
        "articles": result.created + result.updated + result.unchanged,
        "questions": answered,
    }
    Path(out).write_text(json.dumps({**fixture, "questions_tried": len(tried)}))
    print(
        f"bot inbox, {fixture['articles']} articles and {len(answered)} of {len(tried)} questions answered "
        f"in {time.monotonic() - started:.1f}s"
    )


# --- the bot worker (load generator side) -------------------------------------------------------


class BotVisitor:
    """One visitor socket of the bot inbox; ``turn`` resolves with the bot's answer or handoff."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.bucket = loadgen.Bucket(9.0, 30)
        self.replies: dict[str, asyncio.Future] = {}
        self.turn: asyncio.Future | None = None
        self.reader = asyncio.create_task(self.read())

    def expect(self, ref: str) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        self.replies[ref] = fut
        return fut

    def next_turn(self) -> asyncio.Future:
        self.turn = asyncio.get_running_loop().create_future()
        return self.turn

    def settle(self, outcome: str, t: float) -> None:
        if self.turn is not None and not self.turn.done():
            self.turn.set_result((outcome, t))

    async def send(self, frame: dict[str, Any]) -> None:
        await self.bucket.take()
        await self.ws.send(json.dumps(frame))

    async def read(self) -> None:
        with contextlib.suppress(loadgen.ConnectionClosed):
            async for raw in self.ws:
                t = now()
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "message.new" and frame["message"]["sender"]["kind"] == "bot":
                    self.settle("answer", t)
                elif kind == "conversation.updated" and frame["conversation"].get("owner") == "human":
                    self.settle("handoff", t)
                fut = self.replies.pop(frame.get("ref") or "", None)
                if fut is not None and not fut.done():
                    fut.set_result(frame)
        for fut in [*self.replies.values(), self.turn]:
            if fut is not None and not fut.done():
                fut.set_exception(ConnectionError("socket closed"))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 5)
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.reader


class BotGenerator(loadgen.Generator):
    """The load generator with a background stream of bot conversations (``bot_start``/``bot_stop``)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.bot = spec["bot"]
        self.turns: list[tuple[float, str, float]] = []  # (sent at, outcome, ms)
        self.bot_errors: dict[str, int] = {}
        self.bot_conversations = 0
        self.bot_tasks: list[asyncio.Task] = []
        self.bot_running = False
        self.bot_since = 0.0
        self.ids = itertools.count(1)

    async def bot_visit(self, questions: itertools.cycle, per_conversation: int, think: float) -> None:
        ws = await self.open_ws(f"{self.visitor_base}/ws/widget/{self.bot['key']}/", self.origin)
        visitor = BotVisitor(ws)
        try:
            auth = visitor.expect("auth")
            await visitor.send({"type": "auth", "token": None, "ref": "auth"})
            if (await asyncio.wait_for(auth, 30))["type"] != "auth.ok":
                raise ConnectionError("auth refused")
            self.bot_conversations += 1
            for n in range(per_conversation):
                if not self.bot_running:
                    return
                cid = f"bot{self.run_id}-{self.worker}-{next(self.ids)}"
                frame = {"type": "conversation.start" if n == 0 else "message.send", "text": next(questions)}
                frame.update(client_id=cid, ref=cid)
                turn = visitor.next_turn()
                t0 = now()
                await visitor.send(frame)
                try:
                    outcome, t1 = await asyncio.wait_for(turn, 20)
                except TimeoutError:
                    outcome, t1 = "timeout", now()
                self.turns.append((t0, outcome, round((t1 - t0) * 1000, 3)))
                if outcome != "answer":
                    return  # handed off (or lost): a new visitor takes over
                if think:
                    await asyncio.sleep(think * random.uniform(0.5, 1.5))
        finally:
            await visitor.close()

    async def bot_visitor_loop(self, index: int, per_conversation: int, think: float) -> None:
        questions = list(self.bot["questions"])
        random.Random(index).shuffle(questions)
        cycle = itertools.cycle(questions)
        while self.bot_running:
            try:
                await self.bot_visit(cycle, per_conversation, think)
            except Exception as exc:
                key = type(exc).__name__
                self.bot_errors[key] = self.bot_errors.get(key, 0) + 1
                await asyncio.sleep(0.2)

    async def cmd_bot_start(
        self, visitors: int, per_conversation: int, think: float = 0.0, warmup: float = 0.0
    ) -> dict[str, Any]:
        """Start the bot visitors in the background; turns sent in the first ``warmup`` s are not counted."""
        self.turns, self.bot_errors, self.bot_conversations = [], {}, 0
        self.bot_running = True
        self.bot_since = now() + warmup
        self.bot_tasks = [
            asyncio.create_task(self.bot_visitor_loop(i, per_conversation, think)) for i in range(visitors)
        ]
        return {"started": visitors}

    async def cmd_bot_stop(self) -> dict[str, Any]:
        """Let each visitor finish its turn, then report the counted turns."""
        stopped = now()
        self.bot_running = False
        if self.bot_tasks:
            _done, pending = await asyncio.wait(self.bot_tasks, timeout=30)
            for task in pending:
                task.cancel()
        self.bot_tasks = []
        counted = [(t, o, ms) for t, o, ms in self.turns if self.bot_since <= t <= stopped]
        window = max(stopped - self.bot_since, 1e-9)
        answers = [ms for _t, o, ms in counted if o == "answer"]
        handoffs = [ms for _t, o, ms in counted if o == "handoff"]
        return {
            "window": round(window, 2),
            "questions": len(counted),
            "answers": len(answers),
            "handoffs": len(handoffs),
            "timeouts": sum(1 for _t, o, _ms in counted if o == "timeout"),
            "conversations": self.bot_conversations,
            "errors": self.bot_errors,
            "answers_per_s": round(len(answers) / window, 1),
            # Little's law: the mean number of questions waiting for or being answered by the bot;
            # at 2 or more its two threads have work all the time
            "in_flight": round(sum(ms for _t, _o, ms in counted) / 1000 / window, 2),
            "answer_latency": summarize(answers),
            "handoff_latency": summarize(handoffs),
            "latency": summarize(answers + handoffs),
        }


# --- the scenario (orchestrator side) -----------------------------------------------------------


async def scenario(bench: Bench) -> dict[str, Any]:
    """The phases on the servers ``bench`` started: quiet, with the bot kept busy, quiet again."""
    from bench.run import CpuWindow, Worker, merge

    p = dict(bench.profile["botbusy"])
    light = {**bench.profile["light"], "duration": p["duration"]}
    spec = {
        "worker": len(bench.workers),
        "run": uuid.uuid4().hex[:6],
        "dialect": "helpdesk",
        "visitor_base": bench.servers[0].base_ws,
        "agent_base": bench.servers[-1].base_ws,
        "origin": bench.fixture["origin"],
        "inboxes": [],
        "bot": {"key": bench.fixture["bot"]["key"], "questions": bench.fixture["bot"]["questions"]},
    }
    bot = await Worker.start(spec, bench.workdir, len(bench.workers), module="bench.botload")
    visitors = {"visitors": p["visitors"], "per_conversation": p["per_conversation"], "think": p["think"]}
    limit = light["duration"] + light["drain"] + 180
    try:
        # the bot's first turns (index build, first encoder calls) before anything is measured
        await bot.call(30, "bot_start", **{**visitors, "visitors": 2})
        await asyncio.sleep(3)
        await bot.call(60, "bot_stop")
        await bench.quiesce()

        async def human_only() -> dict[str, Any]:
            with CpuWindow(bench.servers, [*bench.workers, bot]) as cpu:
                phase = merge(await bench.call_all(limit, "steady", **light))
            phase["cpu"] = cpu.result
            await bench.quiesce()
            return phase

        quiet = await human_only()

        await bot.call(30, "bot_start", **visitors, warmup=p["bot_warmup"])
        await asyncio.sleep(p["bot_warmup"])
        with CpuWindow(bench.servers, [*bench.workers, bot]) as cpu:
            busy = merge(await bench.call_all(limit, "steady", **light))
            answers = await bot.call(90, "bot_stop")
        busy["cpu"] = cpu.result
        await bench.quiesce()
        # once more without: if the machine drifted meanwhile, the two quiet phases disagree
        after = await human_only()
    finally:
        await bot.stop()
    return {"params": {**p, "light": light}, "quiet": quiet, "busy": busy, "after": after, "bot": answers}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "seed":
        parser = argparse.ArgumentParser(description="Add the bot inbox and the demo knowledge base.")
        parser.add_argument("seed")
        parser.add_argument("--out", required=True)
        seed(parser.parse_args().out)
        return
    loadgen.main(BotGenerator)


if __name__ == "__main__":
    main()
