"""The agent console socket: thin (rule 4). Session-authenticated agents join the groups of
the inboxes they work, send frames that become service calls, and receive every event of
those inboxes live. The protocol is in docs/protocol.md.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from channels.db import database_sync_to_async

from agents import selectors as agent_selectors
from agents import services as agent_services
from agents.access import ACCESS_EVENT, CLOSE_ACCESS_REVOKED
from agents.canned import canned_expand, canned_variables
from agents.choices import Availability
from chat import clock, realtime, selectors, services
from chat.choices import ConversationStatus, Owner
from chat.frames import FrameError, bool_field, int_field, reply
from chat.payloads import conversation_payload, mention_payload, message_payload, tag_payload
from chat.sockets import FrameRateLimiter, HelpdeskConsumer

PAGE = 200
MENTIONS_FOR = timedelta(days=7)  # how far back `hello` lists the agent's @mentions
# The frames that need only the conversation's contact load just that (chat.selectors).
LEAN = ("contact",)


class AgentConsumer(HelpdeskConsumer):
    FRAME_TYPES = frozenset(
        {
            "availability.set",
            "conversation.claim",
            "conversation.transfer",
            "conversation.resolve",
            "conversation.reopen",
            "conversation.accept",
            "conversation.priority",
            "conversation.assign",
            "conversation.pending",
            "conversation.tags",
            "canned.expand",
            "message.send",
            "note.add",
            "typing",
            "read",
            "sync",
            "ping",
        }
    )

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.profile = await database_sync_to_async(agent_selectors.profile_for_user)(user=user)
        if self.profile is None:
            await self.close()  # not an agent: the handshake is refused (HTTP 403)
            return
        self.user = self.profile.user
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        self.limiter = FrameRateLimiter(burst=80, per_second=20)
        self.groups_joined = await database_sync_to_async(self._groups)()
        for group in self.groups_joined:
            await self.join(group)
        await database_sync_to_async(agent_services.agent_connected)(
            profile=self.profile, channel_name=self.channel_name
        )
        await self.accept()
        await self.send_json(await database_sync_to_async(self._hello)())
        if self.profile.availability == Availability.ONLINE:  # a reconnected agent can take chats again
            await database_sync_to_async(agent_services.route_for_agent)(self.user.pk)

    def _fresh_user(self):
        return type(self.user).objects.get(pk=self.user.pk)

    def _groups(self) -> list[str]:
        inbox_ids = selectors.inbox_ids_for_agent(user=self.user)
        return [
            *(realtime.inbox_group(i) for i in inbox_ids),
            realtime.agent_group(self.user.pk),
            realtime.agents_group(),
        ]

    def _hello(self) -> dict[str, Any]:
        """Everything the console shows at start, in a fixed number of queries (tests/agents)."""
        active, resolved = selectors.console_conversations_for_agent(user=self.user)
        queue = [c for c in active if c.status == ConversationStatus.WAITING][:PAGE]
        mine = sorted(
            (c for c in active if c.assignee_id == self.user.pk and c.status != ConversationStatus.WAITING),
            key=lambda c: (c.last_message_at is not None, c.last_message_at or c.created_at),
            reverse=True,
        )[:PAGE]
        bot = [c for c in active if c.owner == Owner.BOT][:PAGE]  # read-only until an agent takes one over
        shown = {c.pk for c in queue} | {c.pk for c in mine} | {c.pk for c in bot}
        return {
            "type": "hello",
            "agent": agent_services.agent_payload(self.profile, load=agent_selectors.agent_load(user=self.user)),
            "manager": selectors.agent_sees_all(self.user),
            "teams": agent_selectors.team_ids_for_agent(user=self.user),
            "queue": [conversation_payload(c) for c in queue],
            "mine": [conversation_payload(c) for c in mine],
            "bot": [conversation_payload(c) for c in bot],
            "others": [conversation_payload(c) for c in active if c.pk not in shown],
            "resolved": [conversation_payload(c) for c in resolved],
            "tags": [tag_payload(t) for t in selectors.tags_all()],
            "mentions": [
                mention_payload(e)
                for e in selectors.mentions_for_agent(user=self.user, since=clock.now() - MENTIONS_FOR)
            ],
            "canned": [
                {"short_code": c.short_code, "title": c.title, "inbox": c.inbox_id}
                for c in agent_selectors.canned_responses_for_agent(user=self.user)
            ],
        }

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.leave(group)
        if getattr(self, "profile", None) is not None and hasattr(self, "groups_joined"):
            await database_sync_to_async(agent_services.agent_disconnected)(
                profile=self.profile, channel_name=self.channel_name
            )

    async def handle_frame(self, frame: dict[str, Any], ref: Any) -> None:
        if frame["type"] == "ping":
            await database_sync_to_async(agent_services.agent_heartbeat)(channel_name=self.channel_name)
            # The safety net of agents.access: a revoked socket closes within one ping interval.
            if not await database_sync_to_async(agent_selectors.socket_access_ok)(
                user_id=self.user.pk, session_key=self.session_key
            ):
                await self.close(code=CLOSE_ACCESS_REVOKED)
                return
            await self.send_json(reply("pong", ref))
            return
        result = await database_sync_to_async(self.handler_for(frame["type"]))(frame)
        if result is not None:
            await self.send_json(reply(result.pop("type"), ref, **result))

    # --- handlers: run in a worker thread, return the reply frame ---------------------------

    def _conversation(self, frame: dict[str, Any], *, related: tuple[str, ...] = selectors.CONVERSATION_RELATED):
        return selectors.conversation_for_agent(user=self.user, public_id=frame.get("conversation"), related=related)

    def on_availability_set(self, frame: dict[str, Any]) -> dict[str, Any]:
        # ``auto``: the console itself set it (away for inactivity, and back); not the agent's choice.
        auto = bool_field(frame, "auto") if "auto" in frame else False
        profile = agent_services.agent_set_availability(
            profile=self.profile, availability=frame.get("availability"), chosen=not auto
        )
        return {"type": "availability.ack", "agent": agent_services.agent_payload(profile)}

    def on_conversation_claim(self, frame: dict[str, Any]) -> dict[str, Any]:
        conversation = agent_services.conversation_claim_within_capacity(
            profile=self.profile, conversation=self._conversation(frame)
        )
        return self._conversation_ack(conversation)

    def on_conversation_transfer(self, frame: dict[str, Any]) -> dict[str, Any]:
        conversation = self._conversation(frame)
        to_agent = to_team = None
        if frame.get("agent") is not None:
            to_agent = agent_selectors.transfer_target_agent(user_id=frame["agent"], inbox_id=conversation.inbox_id)
        if frame.get("team") is not None:
            to_team = agent_selectors.transfer_target_team(team_id=frame["team"])
        note = frame.get("note") or ""
        if not isinstance(note, str):
            raise FrameError("invalid", "'note' must be a string.")
        note = note.strip()  # a blank note is no note
        conversation = services.conversation_transfer(
            conversation=conversation, actor=self.user, to_agent=to_agent, to_team=to_team, note=note
        )
        return self._conversation_ack(conversation)

    def on_conversation_resolve(self, frame: dict[str, Any]) -> dict[str, Any]:
        return self._conversation_ack(
            services.conversation_resolve(conversation=self._conversation(frame), actor=self.user)
        )

    def on_conversation_reopen(self, frame: dict[str, Any]) -> dict[str, Any]:
        return self._conversation_ack(
            services.conversation_reopen(conversation=self._conversation(frame), actor=self.user)
        )

    def on_conversation_accept(self, frame: dict[str, Any]) -> dict[str, Any]:
        return self._conversation_ack(
            services.conversation_accept(conversation=self._conversation(frame), agent=self.user)
        )

    def on_conversation_priority(self, frame: dict[str, Any]) -> dict[str, Any]:
        conversation = services.conversation_set_priority(
            conversation=self._conversation(frame), priority=frame.get("priority"), actor=self.user
        )
        return self._conversation_ack(conversation)

    def on_conversation_assign(self, frame: dict[str, Any]) -> dict[str, Any]:
        conversation = self._conversation(frame)
        agent = agent_selectors.transfer_target_agent(user_id=frame.get("agent"), inbox_id=conversation.inbox_id)
        conversation = services.conversation_assign(conversation=conversation, agent=agent, actor=self.user)
        return self._conversation_ack(conversation)

    def on_conversation_pending(self, frame: dict[str, Any]) -> dict[str, Any]:
        conversation = services.conversation_set_pending(
            conversation=self._conversation(frame), actor=self.user, pending=bool_field(frame, "pending")
        )
        return self._conversation_ack(conversation)

    def on_conversation_tags(self, frame: dict[str, Any]) -> dict[str, Any]:
        conversation = self._conversation(frame)
        services.conversation_set_tags(conversation=conversation, actor=self.user, names=frame.get("tags"))
        return self._conversation_ack(conversation)

    def on_canned_expand(self, frame: dict[str, Any]) -> dict[str, Any]:
        """A canned response's text with the conversation's variables filled in (not sent): the
        console's preview and the text it puts in the composer, so both follow one rule."""
        conversation = self._conversation(frame, related=LEAN)
        canned = agent_selectors.canned_response_for_conversation(
            short_code=frame.get("short_code"), conversation=conversation
        )
        expansion = canned_expand(canned.text, variables=canned_variables(conversation=conversation, agent=self.user))
        return {
            "type": "canned.expanded",
            "conversation": str(conversation.public_id),
            "short_code": canned.short_code,
            "text": expansion.text,
            "missing": expansion.missing,
            "unknown": expansion.unknown,
        }

    def _conversation_ack(self, conversation) -> dict[str, Any]:
        fresh = selectors.conversation_for_agent(user=self.user, public_id=str(conversation.public_id))
        return {"type": "conversation.ack", "conversation": conversation_payload(fresh)}

    def on_message_send(self, frame: dict[str, Any], *, private: bool = False) -> dict[str, Any]:
        conversation = self._conversation(frame, related=LEAN)
        result = services.message_send(
            conversation=conversation,
            sender=self.user,
            text=frame.get("text"),
            client_id=frame.get("client_id"),
            is_private=private,
            attachments=frame.get("attachments"),
        )
        return {
            "type": "message.ack",
            "message": message_payload(result.message, conversation_id=str(conversation.public_id)),
            "duplicate": not result.created,
        }

    def on_note_add(self, frame: dict[str, Any]) -> dict[str, Any]:
        return self.on_message_send(frame, private=True)

    def on_typing(self, frame: dict[str, Any]) -> None:
        services.typing_set(
            conversation=self._conversation(frame, related=LEAN),
            actor=self.user,
            is_typing=bool_field(frame, "is_typing"),
        )

    def on_read(self, frame: dict[str, Any]) -> dict[str, Any]:
        conversation = self._conversation(frame)
        mark = services.conversation_mark_read(conversation=conversation, reader=self.user, seq=int_field(frame, "seq"))
        return {"type": "read.ack", "conversation": str(conversation.public_id), "public_seq": mark}

    def on_sync(self, frame: dict[str, Any]) -> dict[str, Any]:
        """Messages after ``after_seq`` (at most 500), to fill a gap after a reconnect."""
        conversation = self._conversation(frame)
        after = int_field(frame, "after_seq", default=0)
        messages = selectors.messages_for_agent(conversation=conversation, after_seq=after, limit=500)
        conversation_id = str(conversation.public_id)
        return {
            "type": "sync.done",
            "conversation": conversation_payload(conversation),
            "messages": [message_payload(m, conversation_id=conversation_id) for m in messages],
            "has_more": len(messages) == 500,
        }

    # --- outbound ---------------------------------------------------------------------------

    async def hd_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event.get("type") == ACCESS_EVENT:  # internal (agents.access): acted on, never relayed
            await self._access_changed(event)
            return
        await self.send_json(event)

    async def _access_changed(self, event: dict[str, Any]) -> None:
        session = event.get("session")
        if event.get("revoke") and (session is None or self.session_key is None or session == self.session_key):
            await self.close(code=CLOSE_ACCESS_REVOKED)
            return
        if not await database_sync_to_async(agent_selectors.socket_access_ok)(
            user_id=self.user.pk, session_key=self.session_key
        ):
            await self.close(code=CLOSE_ACCESS_REVOKED)
            return
        self.user = await database_sync_to_async(self._fresh_user)()  # permissions are cached per object
        wanted = await database_sync_to_async(self._groups)()
        for group in set(self.groups_joined) - set(wanted):
            await self.leave(group)
        for group in set(wanted) - set(self.groups_joined):
            await self.join(group)
        self.groups_joined = wanted
