"""The load generator: visitors and agents speaking docs/protocol.md over real WebSockets.

One worker process drives a share of the fixture's inboxes (each inbox's visitors and agents
stay in one worker, so one clock times a message from sender to receiver). The orchestrator
(``bench.run``) starts workers as ``python -m bench.loadgen SPEC.json`` and talks to them in
JSON lines: a command on stdin, one answer on stdout.

Dialects: ``helpdesk`` is the real protocol (``auth`` with the contact's token, agents
signed in with their session cookie, ``resume``); ``relay`` is the baselines' subset on
``/ws/relay/...`` (the same ``auth``, ``hello``, ``message.send``, ``message.ack`` and
``message.new`` frames, with no database behind them).

Every message carries a unique ``client_id``. Each socket that should see a message (the
contact's socket and every agent socket of the inbox) counts the ``message.new`` frames it
receives for it: a missing one is a lost message, a second one a duplicate. Latency is taken
from just before the sender writes the frame to the moment the counterpart (the conversation's
agent for a visitor's message, the visitor for an agent's) reads the ``message.new``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.common import raise_fd_limit

PING_INTERVAL = 25.0
TEXT = "Hello, I have a question about my order and the delivery date."  # 64 characters
now = time.monotonic


class Bucket:
    """Client-side pacing that keeps a socket under the server's frame rate limit."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.capacity, self.tokens, self.stamp = rate, burst, burst, now()

    async def take(self) -> None:
        while True:
            t = now()
            self.tokens = min(self.capacity, self.tokens + (t - self.stamp) * self.rate)
            self.stamp = t
            if self.tokens >= 1:
                self.tokens -= 1
                return
            await asyncio.sleep((1 - self.tokens) / self.rate)


@dataclass(eq=False)
class Sent:
    conversation: Conversation
    from_visitor: bool
    expected: tuple[int, ...]  # ids of the peers that should receive it
    primary: int  # the counterpart's peer id
    t_send: float
    t_ack: float | None = None
    t_primary: float | None = None
    error: str | None = None
    received: dict[int, int] = field(default_factory=dict)
    acked: asyncio.Future | None = None
    delivered: asyncio.Future | None = None


@dataclass(eq=False)
class Conversation:
    id: str
    token: str
    inbox_key: str
    agent_index: int
    inbox: Inbox
    visitor: Peer | None = None
    # churn: what the logical visitor holds across its sockets
    seen_seqs: set[int] = field(default_factory=set)
    contig: int = 0
    received_ids: set[str] = field(default_factory=set)

    @property
    def agent(self) -> Peer | None:
        peers = self.inbox.agents
        return peers[self.agent_index] if self.agent_index < len(peers) else None

    def advance(self, seq: int) -> None:
        self.seen_seqs.add(seq)
        while self.contig + 1 in self.seen_seqs:
            self.contig += 1


@dataclass(eq=False)
class Inbox:
    id: int
    key: str
    agent_sessions: list[dict[str, Any]]
    conversations: list[Conversation] = field(default_factory=list)
    agents: list[Peer] = field(default_factory=list)


class Peer:
    """One socket and its reader."""

    ids = itertools.count(1)

    def __init__(self, gen: Generator, ws: ClientConnection, role: str, bucket: Bucket) -> None:
        self.gen, self.ws, self.role, self.bucket = gen, ws, role, bucket
        self.id = next(Peer.ids)
        self.waiters: dict[str, asyncio.Future] = {}  # ref or frame type -> future
        self.last_seq: dict[str, int] = {}  # conversation -> last seq seen on this socket
        self.frames = 0
        self.replaying = False
        self.live_before_resume: set[str] = set()
        self.conversation: Conversation | None = None  # a visitor's
        self.reader = asyncio.create_task(self.read())

    def expect(self, key: str) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        self.waiters[key] = fut
        return fut

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def read(self) -> None:
        gen = self.gen
        try:
            async for raw in self.ws:
                t = now()
                self.frames += 1
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "message.new":
                    gen.on_message(self, frame, t)
                    continue
                ref = frame.get("ref")
                if kind == "message.ack":
                    gen.on_ack(frame, ref, t)
                    continue
                if kind == "error":
                    gen.on_error(self, frame, ref)
                waiter = self.waiters.pop(ref, None) if ref is not None else None
                if waiter is None:
                    waiter = self.waiters.pop(kind, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(frame)
        except ConnectionClosed:
            pass
        finally:
            for waiter in self.waiters.values():
                if not waiter.done():
                    waiter.set_exception(ConnectionError("socket closed"))
            self.waiters.clear()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(), 5)
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.reader


class Generator:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.dialect = spec["dialect"]
        self.visitor_base = spec["visitor_base"]
        self.agent_base = spec["agent_base"]
        self.origin = spec["origin"]
        self.worker = spec["worker"]
        self.run_id = spec.get("run", "r")  # keeps client ids unique across variants on one database
        self.inboxes: list[Inbox] = []
        for entry in spec["inboxes"]:
            inbox = Inbox(entry["id"], entry["key"], entry["agents"])
            inbox.conversations = [
                Conversation(c["id"], c["token"], entry["key"], c["agent"], inbox) for c in entry["conversations"]
            ]
            self.inboxes.append(inbox)
        self.idle_key = spec.get("idle_key")
        self.idle_tokens: list[str] = spec.get("idle_tokens", [])
        self.idle_peers: list[Peer] = []
        self.sent: dict[str, Sent] = {}
        self.counter = itertools.count(1)
        self.phase = "x"
        self.errors: dict[str, int] = {}
        self.duplicates = 0
        self.seq_gaps = 0
        self.seq_repeats = 0
        self.overlaps = 0
        self.unexpected = 0
        self.churn_cycles = 0
        self.agent_ping_task: asyncio.Task | None = None
        self.pinging = True

    # --- connecting ---------------------------------------------------------------------------

    def visitor_url(self, conversation: Conversation | None, inbox_key: str) -> str:
        if self.dialect == "helpdesk":
            return f"{self.visitor_base}/ws/widget/{inbox_key}/"
        conv = conversation.id if conversation else f"idle-{random.getrandbits(64):x}"
        return f"{self.visitor_base}/ws/relay/visitor/{inbox_key}/{conv}/"

    def agent_url(self, inbox: Inbox) -> str:
        if self.dialect == "helpdesk":
            return f"{self.agent_base}/ws/agent/"
        return f"{self.agent_base}/ws/relay/agent/{inbox.key}/"

    async def open_ws(self, url: str, origin: str, cookie: str | None = None) -> ClientConnection:
        headers = {"Cookie": cookie} if cookie else None
        return await connect(
            url,
            origin=origin,
            additional_headers=headers,
            proxy=None,
            open_timeout=60,
            close_timeout=3,
            ping_interval=None,  # browsers answer pings but do not send them
            max_size=2**22,
        )

    async def open_visitor(
        self, conversation: Conversation | None, token: str, inbox_key: str, *, will_resume: bool = False
    ) -> Peer:
        ws = await self.open_ws(self.visitor_url(conversation, inbox_key), self.origin)
        peer = Peer(self, ws, "visitor", Bucket(9.0, 30))
        peer.conversation = conversation
        # live events that arrive between auth.ok and resume.done may come again in the replay
        peer.replaying = will_resume
        waiter = peer.expect("auth")
        await peer.send({"type": "auth", "token": token, "ref": "auth"})
        ok = await asyncio.wait_for(waiter, 60)
        if ok["type"] != "auth.ok":
            await peer.close()
            raise ConnectionError(f"auth refused: {ok}")
        state = ok.get("conversation")
        if conversation is not None and state and state.get("id") == conversation.id:
            peer.last_seq[conversation.id] = state["last_seq"]
        return peer

    async def open_agent(self, inbox: Inbox, session: dict[str, Any]) -> Peer:
        origin = self.agent_base.replace("ws://", "http://")
        ws = await self.open_ws(self.agent_url(inbox), origin, cookie=f"sessionid={session['session']}")
        peer = Peer(self, ws, "agent", Bucket(18.0, 60))
        waiter = peer.expect("hello")
        hello = await asyncio.wait_for(waiter, 60)
        for conv in hello.get("mine", []):
            peer.last_seq[conv["id"]] = conv["last_seq"]
        return peer

    async def gather_limited(self, coros, limit: int = 8) -> list[Any]:
        sem = asyncio.Semaphore(limit)

        async def run(coro):
            async with sem:
                return await coro

        return await asyncio.gather(*(run(c) for c in coros), return_exceptions=True)

    async def cmd_connect(self, visitors: bool = True, agents: bool = True) -> dict[str, Any]:
        started = now()
        failures: list[str] = []
        if agents:
            pairs = [(inbox, s) for inbox in self.inboxes for s in inbox.agent_sessions]
            results = await self.gather_limited(self.open_agent(i, s) for i, s in pairs)
            for (inbox, _), result in zip(pairs, results, strict=True):
                if isinstance(result, BaseException):
                    failures.append(repr(result))
                else:
                    inbox.agents.append(result)
            self.agent_ping_task = asyncio.create_task(self.ping_agents())
        if visitors:
            convs = [c for inbox in self.inboxes for c in inbox.conversations]
            results = await self.gather_limited(self.open_visitor(c, c.token, c.inbox_key) for c in convs)
            for conv, result in zip(convs, results, strict=True):
                if isinstance(result, BaseException):
                    failures.append(repr(result))
                else:
                    conv.visitor = result
        return {"seconds": round(now() - started, 2), "failures": len(failures), "failure_sample": failures[:3]}

    async def ping_agents(self) -> None:
        """The console's heartbeat: a ping every 25 seconds per agent socket, at random phases
        (all at once would be a burst no real set of consoles makes)."""

        async def pinger(peer: Peer) -> None:
            await asyncio.sleep(random.uniform(0, PING_INTERVAL))
            while True:
                if self.pinging:
                    with contextlib.suppress(Exception):
                        await peer.send({"type": "ping"})
                await asyncio.sleep(PING_INTERVAL)

        await asyncio.gather(*(pinger(p) for inbox in self.inboxes for p in inbox.agents))

    async def cmd_pings(self, on: bool) -> dict[str, Any]:
        self.pinging = on
        return {"pinging": on}

    async def cmd_disconnect(self) -> dict[str, Any]:
        if self.agent_ping_task:
            self.agent_ping_task.cancel()
        peers = [p for inbox in self.inboxes for p in inbox.agents]
        peers += [c.visitor for inbox in self.inboxes for c in inbox.conversations if c.visitor]
        await self.gather_limited((p.close() for p in peers), limit=200)
        for inbox in self.inboxes:
            inbox.agents = []
            for c in inbox.conversations:
                c.visitor = None
        return {"closed": len(peers)}

    # --- bookkeeping --------------------------------------------------------------------------

    def on_message(self, peer: Peer, frame: dict[str, Any], t: float) -> None:
        message = frame["message"]
        cid = message.get("client_id")
        conv_id = message.get("conversation")
        if self.dialect == "helpdesk" and not message.get("is_private"):
            seq = message.get("seq")
            last = peer.last_seq.get(conv_id)
            replay = frame.get("replay", False)
            if last is not None and not replay:
                if seq <= last:
                    self.seq_repeats += 1
                elif seq > last + 1:
                    self.seq_gaps += 1
            if last is None or seq > last:
                peer.last_seq[conv_id] = seq
            if peer.conversation is not None and peer.conversation.id == conv_id:
                peer.conversation.advance(seq)
        record = self.sent.get(cid) if cid else None
        if record is None:
            if cid and not cid.startswith("seed"):
                self.unexpected += 1
            return
        count = record.received.get(peer.id, 0)
        record.received[peer.id] = count + 1
        conversation = peer.conversation
        if conversation is not None and not record.from_visitor:
            # the logical visitor (across reconnects) holds this agent message
            replay = frame.get("replay", False)
            if cid in conversation.received_ids:
                if replay and cid in peer.live_before_resume:
                    self.overlaps += 1  # protocol 7.3: the client drops it by id
                else:
                    self.duplicates += 1
            conversation.received_ids.add(cid)
            if peer.replaying and not replay:
                peer.live_before_resume.add(cid)
        elif count:
            self.duplicates += 1
        if peer.id == record.primary and record.t_primary is None:
            record.t_primary = t
            if record.delivered is not None and not record.delivered.done():
                record.delivered.set_result(t)

    def on_ack(self, frame: dict[str, Any], ref: str | None, t: float) -> None:
        record = self.sent.get(ref) if ref else None
        if record is None:
            return
        if record.t_ack is None:
            record.t_ack = t
        if record.acked is not None and not record.acked.done():
            record.acked.set_result(t)

    def on_error(self, peer: Peer, frame: dict[str, Any], ref: str | None) -> None:
        code = frame.get("code", "?")
        self.errors[code] = self.errors.get(code, 0) + 1
        record = self.sent.get(ref) if ref else None
        if record is not None:
            record.error = code
            if record.acked is not None and not record.acked.done():
                record.acked.set_result(None)

    # --- sending --------------------------------------------------------------------------------

    async def send_message(self, conv: Conversation, from_visitor: bool, *, wait: bool = False) -> Sent | None:
        peer = conv.visitor if from_visitor else conv.agent
        if peer is None:
            return None
        await peer.bucket.take()
        cid = f"{self.phase}{self.run_id}-{self.worker}-{next(self.counter)}"
        expected = [p.id for p in conv.inbox.agents]
        if conv.visitor is not None:
            expected.append(conv.visitor.id)
        counterpart = conv.agent if from_visitor else conv.visitor
        record = Sent(conv, from_visitor, tuple(expected), counterpart.id if counterpart else -1, 0.0)
        if wait:
            loop = asyncio.get_running_loop()
            record.acked, record.delivered = loop.create_future(), loop.create_future()
        self.sent[cid] = record
        frame = {"type": "message.send", "text": TEXT, "client_id": cid, "ref": cid}
        if not from_visitor:
            frame["conversation"] = conv.id
        record.t_send = now()
        try:
            await peer.send(frame)
        except ConnectionClosed:
            record.error = "closed"
        return record

    def reset(self, phase: str) -> None:
        self.phase = phase
        self.sent = {}
        self.errors = {}
        self.duplicates = self.seq_gaps = self.seq_repeats = self.overlaps = self.unexpected = 0

    def conversations(self) -> list[Conversation]:
        return [c for inbox in self.inboxes for c in inbox.conversations if c.visitor and c.agent]

    async def drain(self, limit: float) -> float:
        """Wait until every acknowledged message reached every socket it should (at most ``limit`` s)."""
        started = now()
        deadline = started + limit

        def incomplete(record: Sent) -> bool:
            if record.error:
                return False
            return record.t_ack is None or any(record.received.get(p, 0) == 0 for p in record.expected)

        pending = list(self.sent.values())
        while now() < deadline:
            pending = [r for r in pending if incomplete(r)]
            if not pending:
                break
            await asyncio.sleep(0.1)
        return now() - started

    async def wait_acked(self, limit: float) -> None:
        deadline = now() + limit
        pending = list(self.sent.values())
        while now() < deadline:
            pending = [r for r in pending if not r.error and r.t_ack is None]
            if not pending:
                return
            await asyncio.sleep(0.1)

    def report(self, window: tuple[float, float]) -> dict[str, Any]:
        w0, w1 = window
        v2a, a2v, acks = [], [], []
        sent = acked = lost = delivered_expected = unacked = failed = 0
        acks_in_window = primary_in_window = 0
        for record in self.sent.values():
            sent += 1
            if record.error:
                failed += 1
                continue
            if record.t_ack is None:
                unacked += 1
                continue
            acked += 1
            for peer_id in record.expected:
                delivered_expected += 1
                if record.received.get(peer_id, 0) == 0:
                    lost += 1
            if w0 <= record.t_ack <= w1:
                acks_in_window += 1
            if record.t_primary is not None and w0 <= record.t_primary <= w1:
                primary_in_window += 1
            if w0 <= record.t_send <= w1:
                acks.append(round((record.t_ack - record.t_send) * 1000, 3))
                if record.t_primary is not None:
                    latency = round((record.t_primary - record.t_send) * 1000, 3)
                    (v2a if record.from_visitor else a2v).append(latency)
        return {
            "sent": sent,
            "acked": acked,
            "failed": failed,
            "unacked": unacked,
            "errors": self.errors,
            "expected_deliveries": delivered_expected,
            "lost": lost,
            "duplicates": self.duplicates,
            "seq_gaps": self.seq_gaps,
            "seq_repeats": self.seq_repeats,
            "overlaps": self.overlaps,
            "unexpected": self.unexpected,
            "window": w1 - w0,
            "acks_in_window": acks_in_window,
            "deliveries_in_window": primary_in_window,
            "latency_v2a": v2a,
            "latency_a2v": a2v,
            "latency_ack": acks,
            "frames": sum(p.frames for inbox in self.inboxes for p in inbox.agents)
            + sum(c.visitor.frames for c in self.conversations()),
        }

    # --- scenarios ------------------------------------------------------------------------------

    async def cmd_steady(self, duration: float, interval: float, warmup: float, drain: float) -> dict[str, Any]:
        """Open loop: each side of each conversation sends every ``interval`` s on average."""
        self.reset("st")
        start = now()
        stop_at = start + duration

        async def side(conv: Conversation, from_visitor: bool) -> None:
            await asyncio.sleep(random.uniform(0, interval))
            while now() < stop_at:
                await self.send_message(conv, from_visitor)
                await asyncio.sleep(interval * random.uniform(0.5, 1.5))

        convs = self.conversations()
        await asyncio.gather(*(side(c, v) for c in convs for v in (True, False)))
        drained = await self.drain(drain)
        result = self.report((start + warmup, stop_at))
        result["drain_seconds"] = round(drained, 2)
        return result

    async def cmd_saturate(
        self, duration: float, warmup: float, drain: float, conversations: int, window: int = 1
    ) -> dict[str, Any]:
        """Closed loop: each side of ``conversations`` conversations keeps ``window`` messages in
        flight, sending the next one on its ack."""
        self.reset("sat")
        start = now()
        stop_at = start + duration

        async def side(conv: Conversation, from_visitor: bool) -> None:
            while now() < stop_at:
                record = await self.send_message(conv, from_visitor, wait=True)
                if record is None or record.error:
                    return
                try:
                    await asyncio.wait_for(record.acked, max(1.0, stop_at - now() + 30))
                except TimeoutError:
                    return

        convs = self.conversations()[:conversations]
        await asyncio.gather(*(side(c, v) for c in convs for v in (True, False) for _ in range(window)))
        drained = await self.drain(drain)
        result = self.report((start + warmup, stop_at))
        result["drain_seconds"] = round(drained, 2)
        return result

    async def cmd_sequence(self, count: int, from_visitor: bool) -> dict[str, Any]:
        """One message at a time, each waiting for its ack and its delivery: for exact counts."""
        self.reset("seq" + ("v" if from_visitor else "a"))
        convs = self.conversations()
        done = 0
        self.pinging = False  # nothing else in the counted window
        timeouts = 0
        try:
            for n in range(count):
                conv = convs[n % len(convs)]
                record = await self.send_message(conv, from_visitor, wait=True)
                try:
                    await asyncio.wait_for(record.acked, 10)
                    await asyncio.wait_for(record.delivered, 10)
                except TimeoutError:
                    timeouts += 1
                done += 1
            await self.drain(10)
        finally:
            self.pinging = True
        result = self.report((0, now()))
        result["messages"] = done
        result["timeouts"] = timeouts
        return result

    async def cmd_idle_open(self, count: int, offset: int) -> dict[str, Any]:
        """Open ``count`` more idle visitor sockets (authenticated, no conversation)."""
        started = now()
        tokens = self.idle_tokens[offset : offset + count]
        results = await self.gather_limited(
            (self.open_visitor(None, token, self.idle_key) for token in tokens), limit=16
        )
        failures = [repr(r) for r in results if isinstance(r, BaseException)]
        self.idle_peers += [r for r in results if isinstance(r, Peer)]
        return {
            "opened": len(tokens) - len(failures),
            "failures": len(failures),
            "failure_sample": failures[:3],
            "seconds": round(now() - started, 2),
        }

    async def cmd_idle_close(self) -> dict[str, Any]:
        peers, self.idle_peers = self.idle_peers, []
        await self.gather_limited((p.close() for p in peers), limit=256)
        return {"closed": len(peers)}

    async def cmd_churn(
        self, duration: float, visitors: int, agent_interval: float, hold: tuple[float, float], drain: float
    ) -> dict[str, Any]:
        """Visitors connect, resume, send, and leave, again and again, while agents keep writing.

        Agents stay connected. At the end each visitor comes back once more and resumes: by then
        it must hold every message its agent wrote, each once (a message that arrived live just
        before the resume and again in the replay is an allowed overlap, dropped by id).
        """
        if self.dialect != "helpdesk":
            return {"skipped": "churn needs resume, which only the helpdesk has"}
        self.reset("ch")
        convs = self.conversations()[:visitors]
        for conv in convs:  # the visitors start from what their first socket saw
            peer = conv.visitor
            conv.contig = peer.last_seq.get(conv.id, 0) if peer else 0
            conv.seen_seqs = set(range(1, conv.contig + 1))
            conv.received_ids = set()
            conv.visitor = None
            if peer is not None:
                await peer.close()
        start = now()
        stop_at = start + duration
        cycle_errors: dict[str, int] = {}

        async def visit(conv: Conversation, send: bool) -> None:
            peer = await self.open_visitor(conv, conv.token, conv.inbox_key, will_resume=True)
            conv.visitor = peer
            try:
                waiter = peer.expect("resume")
                await peer.send({"type": "resume", "conversation": conv.id, "last_seq": conv.contig, "ref": "resume"})
                done = await asyncio.wait_for(waiter, 30)
                if done["type"] != "resume.done":
                    raise ConnectionError(f"resume refused: {done}")
                peer.replaying = False
                if send:
                    record = await self.send_message(conv, True, wait=True)
                    await asyncio.wait_for(record.acked, 30)
                await asyncio.sleep(random.uniform(*hold))
            finally:
                conv.visitor = None
                await peer.close()

        async def visitor_loop(conv: Conversation) -> None:
            while now() < stop_at:
                try:
                    await visit(conv, send=True)
                    self.churn_cycles += 1
                except Exception as exc:
                    key = type(exc).__name__
                    cycle_errors[key] = cycle_errors.get(key, 0) + 1
                    await asyncio.sleep(0.2)

        async def agent_loop(conv: Conversation) -> None:
            await asyncio.sleep(random.uniform(0, agent_interval))
            while now() < stop_at:
                await self.send_message(conv, False)
                await asyncio.sleep(agent_interval * random.uniform(0.5, 1.5))

        self.churn_cycles = 0
        await asyncio.gather(*(visitor_loop(c) for c in convs), *(agent_loop(c) for c in convs))
        cycles = self.churn_cycles
        # every agent message acknowledged; then each visitor comes back once and resumes
        await self.wait_acked(drain)
        final = await self.gather_limited((visit(c, send=False) for c in convs), limit=32)
        final_errors = [repr(r) for r in final if isinstance(r, BaseException)]
        # the visitors' own messages reach the agents (always connected); agent messages are
        # checked against what the logical visitor holds, live or replayed
        lost_to_agents = 0
        lost_to_visitors = 0
        agent_messages = 0
        for cid, record in self.sent.items():
            if record.error or record.t_ack is None:
                continue
            if record.from_visitor:
                agent_ids = [p.id for p in record.conversation.inbox.agents]
                lost_to_agents += sum(1 for p in agent_ids if record.received.get(p, 0) == 0)
            else:
                agent_messages += 1
                if cid not in record.conversation.received_ids:
                    lost_to_visitors += 1
        result = self.report((start, stop_at))
        for key in ("latency_v2a", "latency_a2v", "latency_ack", "lost"):
            result.pop(key, None)
        result.update(
            {
                "cycles": cycles,
                "cycle_errors": cycle_errors,
                "final_errors": final_errors[:3],
                "agent_messages": agent_messages,
                "lost_to_visitors": lost_to_visitors,
                "lost_to_agents": lost_to_agents,
                "lost": lost_to_visitors + lost_to_agents,
            }
        )
        return result


async def serve(spec: dict[str, Any], factory: type[Generator] = Generator) -> None:
    gen = factory(spec)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print(json.dumps({"ready": True}), flush=True)
    while True:
        line = await reader.readline()
        if not line:
            break
        command = json.loads(line)
        name = command.pop("cmd")
        if name == "exit":
            break
        try:
            result = await getattr(gen, f"cmd_{name}")(**command)
        except Exception as exc:  # report, do not die: the orchestrator decides
            result = {"exception": repr(exc)}
        print(json.dumps(result), flush=True)


def main(factory: type[Generator] = Generator) -> None:
    """``factory``: the generator class (bench.botload adds the bot's commands to it)."""
    raise_fd_limit()
    with open(sys.argv[1]) as handle:
        spec = json.load(handle)
    try:
        import uvloop

        uvloop.run(serve(spec, factory))
    except ImportError:
        asyncio.run(serve(spec, factory))


if __name__ == "__main__":
    main()
