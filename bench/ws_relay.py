"""Baseline 2: a bare relay on the ``websockets`` library, with no framework and no channel layer.

It speaks the frames of ``bench.asgi_relay`` on the same paths, keeping its groups in the
process's memory (so it can only ever be one process):

    python -m bench.ws_relay --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import uuid
from collections import defaultdict
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection, broadcast, serve

groups: defaultdict[str, set[ServerConnection]] = defaultdict(set)


def stats() -> dict:
    return {"pid": os.getpid(), "tasks": len(asyncio.all_tasks()), "groups": len(groups)}


def process_request(connection: ServerConnection, request):
    if request.path.startswith("/__bench/stats"):
        return connection.respond(HTTPStatus.OK, json.dumps(stats()))
    return None


async def handler(ws: ServerConnection) -> None:
    parts = [p for p in ws.request.path.split("/") if p]  # ws, relay, role, inbox[, conversation]
    if len(parts) not in (4, 5) or parts[:2] != ["ws", "relay"]:
        await ws.close(4004)
        return
    role, inbox = parts[2], parts[3]
    conversation = parts[4] if len(parts) == 5 else None
    inbox_group = f"inbox.{inbox}"
    joined: list[str] = []

    def join(group: str) -> None:
        groups[group].add(ws)
        joined.append(group)

    try:
        if role == "agent":
            join(inbox_group)
            await ws.send(json.dumps({"type": "hello"}))
        async for raw in ws:
            frame = json.loads(raw)
            kind = frame.get("type")
            ref = frame.get("ref")
            if kind == "auth":
                join(f"conversation.{conversation}")
                await ws.send(json.dumps({"type": "auth.ok", "ref": ref}))
            elif kind == "ping":
                await ws.send(json.dumps({"type": "pong", "ref": ref}))
            elif kind == "message.send":
                target = conversation or frame.get("conversation")
                message = {
                    "id": str(uuid.uuid4()),
                    "conversation": target,
                    "client_id": frame.get("client_id"),
                    "sender": {"kind": "contact" if role == "visitor" else "agent"},
                    "text": frame.get("text"),
                }
                event = json.dumps({"type": "message.new", "message": message})
                broadcast(groups.get(inbox_group, ()), event)
                broadcast(groups.get(f"conversation.{target}", ()), event)
                await ws.send(json.dumps({"type": "message.ack", "message": message, "ref": ref}))
    finally:
        for group in joined:
            members = groups.get(group)
            if members is not None:
                members.discard(ws)
                if not members:
                    del groups[group]


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, process_request=process_request, max_size=2**20) as server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
