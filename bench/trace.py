"""Bench-only: timestamps of one message's way through a server process (``BENCH_TRACE=1``).

Wraps the consumers' ``receive`` and ``hd_event``, ``services.message_send`` and the outbox of
``chat.realtime`` to note, per client_id, when each stage ran (``time.monotonic``, the same
clock as the load generator's on this machine). ``/__bench/stats?trace=1`` returns them.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict

marks: defaultdict[str, dict[str, float]] = defaultdict(dict)
_lock = threading.Lock()


def mark(cid: str | None, stage: str) -> None:
    if cid:
        with _lock:
            marks[cid].setdefault(stage, time.monotonic())


def install() -> None:
    from agents.consumers import AgentConsumer
    from chat import realtime, services
    from chat.consumers import VisitorConsumer

    for cls, role in ((VisitorConsumer, "v"), (AgentConsumer, "a")):
        original_receive = cls.receive
        original_event = cls.hd_event

        async def receive(self, text_data=None, bytes_data=None, _orig=original_receive, _role=role):
            cid = None
            try:
                cid = json.loads(text_data).get("client_id")
            except Exception:  # tracing must not fail a frame
                pass
            mark(cid, f"recv_{_role}")
            await _orig(self, text_data=text_data, bytes_data=bytes_data)
            mark(cid, f"replied_{_role}")

        async def hd_event(self, message, _orig=original_event, _role=role):
            cid = (message.get("event", {}).get("message") or {}).get("client_id")
            mark(cid, f"event_{_role}")
            await _orig(self, message)
            mark(cid, f"sent_{_role}")

        cls.receive = receive
        cls.hd_event = hd_event

    original_send = services.message_send

    def message_send(**kwargs):
        cid = kwargs.get("client_id")
        mark(cid, "db_start")
        try:
            return original_send(**kwargs)
        finally:
            mark(cid, "db_end")

    services.message_send = message_send

    original_put = realtime._Outbox.put

    def put(self, layer, groups, event, _orig=original_put):
        mark((event.get("message") or {}).get("client_id"), "outbox_put")
        return _orig(self, layer, groups, event)

    realtime._Outbox.put = put
    original_pipelined = realtime._publish_pipelined

    async def pipelined(batch, _orig=original_pipelined):
        for _, _, event in batch:
            mark((event.get("message") or {}).get("client_id"), "publish_start")
        result = await _orig(batch)
        for _, _, event in batch:
            mark((event.get("message") or {}).get("client_id"), "publish_end")
        return result

    realtime._publish_pipelined = pipelined
