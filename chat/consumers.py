"""The visitor socket: thin (rule 4). Authenticate, join the contact's group, check each frame,
call a service, relay group events. The protocol is in docs/protocol.md.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from chat import creation_limits, events, realtime, scrub, selectors, services
from chat.choices import ConversationStatus, HandoffReason
from chat.errors import ServiceError
from chat.frames import FrameError, bool_field, error_frame, int_field, reply
from chat.models import Contact, Conversation, Inbox
from chat.payloads import contact_payload, message_payload, rating_payload
from chat.sockets import FrameRateLimiter, HelpdeskConsumer, header

CLOSE_UNAUTHENTICATED = 4001
MAX_AUTH_ATTEMPTS = 5


class VisitorConsumer(HelpdeskConsumer):
    FRAME_TYPES = frozenset(
        {
            "auth",
            "conversation.start",
            "resume",
            "message.send",
            "typing",
            "read",
            "rate",
            "contact.update",
            "identify",
            "context.update",
            "bot.handoff",
            "bot.feedback",
            "ping",
        }
    )

    async def connect(self) -> None:
        key = self.scope["url_route"]["kwargs"]["inbox_key"]
        # The client's address (daphne --proxy-headers makes it the visitor's behind a balancer),
        # kept only as the key of the creation budgets, as the inbox's privacy settings allow.
        address = (self.scope.get("client") or [None])[0]
        self.inbox, self.address = await database_sync_to_async(self._inbox_and_address)(key, address)
        origin = header(self.scope, b"origin")
        if self.inbox is None or not self.inbox.allows_origin(origin):
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return
        self.contact: Contact | None = None
        self.conversation: Conversation | None = None
        # The browser as its handshake names it: recorded with a new conversation's context.
        self.user_agent = (header(self.scope, b"user-agent") or "")[:500]
        self.replayed_seq = 0  # live events at or below this were already sent by a resume
        self.auth_attempts = 0
        self.limiter = FrameRateLimiter()
        await self.accept()
        self.auth_timer = asyncio.get_running_loop().call_later(
            settings.HELPDESK["AUTH_TIMEOUT_SECONDS"], self._auth_timeout
        )

    @staticmethod
    def _inbox_and_address(key: str, address: str | None) -> tuple[Inbox | None, str | None]:
        inbox = selectors.inbox_by_key(public_key=key)
        return inbox, (scrub.address(address, inbox_id=inbox.pk) if inbox is not None else None)

    def _auth_timeout(self) -> None:
        if self.contact is None:
            self.closing = asyncio.ensure_future(self.close(code=CLOSE_UNAUTHENTICATED))

    async def disconnect(self, code: int) -> None:
        timer = getattr(self, "auth_timer", None)
        if timer is not None:
            timer.cancel()
        if getattr(self, "contact", None) is not None:
            await self.leave(realtime.contact_group(self.contact.public_id))

    # --- inbound ----------------------------------------------------------------------------

    async def handle_frame(self, frame: dict[str, Any], ref: Any) -> None:
        frame_type = frame["type"]
        if frame_type == "ping":
            await self.send_json(reply("pong", ref))
            return
        if frame_type == "auth":
            await self.on_auth(frame, ref)
            return
        if self.contact is None:
            raise FrameError("not_authenticated", "Send an 'auth' frame first.")
        await self.handler_for(frame_type)(frame, ref)

    async def on_auth(self, frame: dict[str, Any], ref: Any) -> None:
        if self.contact is not None:
            raise FrameError("already_authenticated", "This socket is already authenticated.")
        token = frame.get("token")
        minted = None
        if token is None:
            creation_limits.check("contact", address=self.address, inbox_id=self.inbox.pk)
            self.contact, minted = await database_sync_to_async(services.contact_create)(inbox=self.inbox)
            creation_limits.spend("contact", address=self.address, inbox_id=self.inbox.pk)
        else:
            self.contact = await database_sync_to_async(selectors.contact_by_token)(inbox=self.inbox, token=token)
            if self.contact is None:
                self.auth_attempts += 1
                error = FrameError("invalid_token", "Unknown token; authenticate without one to start afresh.")
                if self.auth_attempts >= MAX_AUTH_ATTEMPTS:
                    await self.send_json(error_frame(error, ref))
                    await self.close(code=CLOSE_UNAUTHENTICATED)
                    return
                raise error
        self.auth_timer.cancel()
        await self.join(realtime.contact_group(self.contact.public_id))
        state = await database_sync_to_async(self._session_state)()
        if minted:
            state["token"] = minted
        await self.send_json(reply("auth.ok", ref, **state))

    def _session_state(self) -> dict[str, Any]:
        services.contact_touch(contact=self.contact)
        current = selectors.conversation_current_for_contact(contact=self.contact)
        if current is not None:
            self._switch_to(current)
        return selectors.session_state(inbox=self.inbox, contact=self.contact, conversation=self.conversation)

    def _conversation_state(self) -> dict[str, Any] | None:
        return selectors.conversation_state(conversation=self.conversation)

    async def on_conversation_start(self, frame: dict[str, Any], ref: Any) -> None:
        offline = frame.get("offline", False)
        if not isinstance(offline, bool):
            raise FrameError("invalid", "'offline' must be true or false.")

        def start() -> dict[str, Any]:
            if self.conversation is None or self.conversation.status == ConversationStatus.RESOLVED:
                creation_limits.check("conversation", address=self.address, inbox_id=self.inbox.pk)
            started = services.conversation_start_for_widget(
                contact=self.contact,
                text=frame.get("text"),
                client_id=frame.get("client_id"),
                context=self._with_user_agent(frame.get("context")),
                team_id=frame.get("team"),
                prechat=frame.get("fields"),
                offline=offline,
                name=frame.get("name"),
                email=frame.get("email"),
            )
            self._switch_to(started.conversation)
            if started.created:
                creation_limits.spend("conversation", address=self.address, inbox_id=self.inbox.pk)
            state = {"created": started.created, "conversation": self._conversation_state()}
            if started.message is not None:  # acknowledge the first message like message.ack does
                state["message"] = message_payload(
                    started.message, conversation_id=state["conversation"]["id"], for_contact=True
                )
            return state

        await self.send_json(reply("conversation", ref, **await database_sync_to_async(start)()))

    async def on_resume(self, frame: dict[str, Any], ref: Any) -> None:
        """Send every public message after ``last_seq`` in order, then ``resume.done``."""
        last_seq = int_field(frame, "last_seq", default=0)

        def load() -> tuple[list[dict[str, Any]], dict[str, Any]]:
            conversation = selectors.conversation_for_contact(contact=self.contact, public_id=frame.get("conversation"))
            self._switch_to(conversation)
            conversation_id = str(conversation.public_id)
            batch = settings.HELPDESK["RESUME_BATCH"]
            messages, cursor = [], last_seq
            while True:
                page = selectors.messages_for_contact(conversation=conversation, after_seq=cursor, limit=batch)
                messages.extend(
                    events.message_new(m, conversation_id=conversation_id, for_contact=True, replay=True) for m in page
                )
                if len(page) < batch:
                    break
                cursor = page[-1].public_seq
            return messages, self._conversation_state()

        messages, state = await database_sync_to_async(load)()
        for message in messages:
            await self.send_json(message)
        # The cut-off for live duplicates: what was replayed, never above what exists (a client
        # claiming a too-high last_seq must not make the socket drop real messages later).
        self.replayed_seq = min(max([last_seq] + [m["message"]["seq"] for m in messages]), state["last_seq"])
        await self.send_json(
            reply("resume.done", ref, conversation=state, last_seq=self.replayed_seq, count=len(messages))
        )

    def _with_user_agent(self, context: Any) -> Any:
        """The page context with the handshake's User-Agent, which the page cannot overrule."""
        if context is None:
            context = {}
        if isinstance(context, dict) and self.user_agent:
            context = {**context, "user_agent": self.user_agent}
        return context or None

    def _switch_to(self, conversation: Conversation) -> None:
        """Make ``conversation`` the socket's current one; the replay cut-off belongs to the old one."""
        if self.conversation is None or self.conversation.pk != conversation.pk:
            self.replayed_seq = 0
        self.conversation = conversation

    def _require_conversation(self) -> Conversation:
        if self.conversation is None:
            raise ServiceError("no_conversation", "Start or resume a conversation first.", status=409)
        return self.conversation

    async def on_message_send(self, frame: dict[str, Any], ref: Any) -> None:
        conversation = self._require_conversation()

        def send() -> dict[str, Any]:
            result = services.message_send(
                conversation=conversation,
                sender=self.contact,
                text=frame.get("text"),
                client_id=frame.get("client_id"),
                attachments=frame.get("attachments"),
            )
            return {
                "message": message_payload(
                    result.message, conversation_id=str(conversation.public_id), for_contact=True
                ),
                "duplicate": not result.created,
            }

        await self.send_json(reply("message.ack", ref, **await database_sync_to_async(send)()))

    async def on_typing(self, frame: dict[str, Any], ref: Any) -> None:
        conversation = self._require_conversation()
        is_typing = bool_field(frame, "is_typing")
        await database_sync_to_async(services.typing_set)(
            conversation=conversation, actor=self.contact, is_typing=is_typing
        )

    async def on_read(self, frame: dict[str, Any], ref: Any) -> None:
        conversation = self._require_conversation()
        seq = int_field(frame, "seq")
        mark = await database_sync_to_async(services.conversation_mark_read)(
            conversation=conversation, reader=self.contact, seq=seq
        )
        await self.send_json(reply("read.ack", ref, conversation=str(conversation.public_id), seq=mark))

    async def on_rate(self, frame: dict[str, Any], ref: Any) -> None:
        conversation = self._require_conversation()
        rating = await database_sync_to_async(services.conversation_rate)(
            conversation=conversation, contact=self.contact, score=frame.get("score"), comment=frame.get("comment", "")
        )
        await self.send_json(
            reply("rate.ack", ref, rating=rating_payload(rating, conversation_id=str(conversation.public_id)))
        )

    async def on_contact_update(self, frame: dict[str, Any], ref: Any) -> None:
        def update() -> Contact:
            contact = services.contact_update(contact=self.contact, name=frame.get("name"), email=frame.get("email"))
            if frame.get("attributes") is not None:
                contact = services.contact_set_attributes(contact=contact, attributes=frame["attributes"])
            services.contact_announce(contact=contact)  # open consoles show it without a reload
            return contact

        contact = await database_sync_to_async(update)()
        await self.send_json(reply("contact", ref, contact=contact_payload(contact)))

    async def on_identify(self, frame: dict[str, Any], ref: Any) -> None:
        """The host site's signed-in user (``setUser``); an unproven claim is ignored, not refused."""
        verified = await database_sync_to_async(services.contact_identify)(
            contact=self.contact,
            user_id=frame.get("id"),
            user_hash=frame.get("hash"),
            name=frame.get("name"),
            email=frame.get("email"),
        )
        await self.send_json(reply("identify", ref, verified=verified, contact=contact_payload(self.contact)))

    async def on_context_update(self, frame: dict[str, Any], ref: Any) -> None:
        """The visitor navigated: the current conversation, if still active, follows the page."""
        conversation = self.conversation
        if conversation is None:
            services.clean_context(frame.get("context"))  # still refuse a malformed one
            return
        await database_sync_to_async(services.conversation_update_context)(
            conversation=conversation, contact=self.contact, context=frame.get("context")
        )

    async def on_bot_handoff(self, frame: dict[str, Any], ref: Any) -> None:
        """ "Talk to a person": the bot hands the conversation to the queue at once."""
        conversation = self._require_conversation()

        def hand_off() -> dict[str, Any]:
            services.conversation_hand_off(
                conversation=conversation, reason=HandoffReason.ASKED_FOR_HUMAN, actor=self.contact
            )
            fresh = selectors.conversation_for_contact(contact=self.contact, public_id=str(conversation.public_id))
            self._switch_to(fresh)
            return {"conversation": self._conversation_state()}

        await self.send_json(reply("bot.handoff.ack", ref, **await database_sync_to_async(hand_off)()))

    async def on_bot_feedback(self, frame: dict[str, Any], ref: Any) -> None:
        """ "Did that help?" on one of the bot's answers."""
        conversation = self._require_conversation()
        helpful = bool_field(frame, "helpful")
        message = await database_sync_to_async(services.bot_feedback)(
            conversation=conversation, contact=self.contact, message_id=frame.get("message"), helpful=helpful
        )
        payload = message_payload(message, conversation_id=str(conversation.public_id), for_contact=True)
        await self.send_json(reply("bot.feedback.ack", ref, message=payload))

    # --- outbound: events from the contact's group ------------------------------------------

    async def hd_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event.get("type") == realtime.CONTACT_ERASED:  # internal: this contact no longer exists
            if self.contact is not None:
                await self.channel_layer.group_discard(
                    realtime.contact_group(self.contact.public_id), self.channel_name
                )
            self.contact = self.conversation = None
            await self.close(code=realtime.CLOSE_ERASED)
            return
        if event.get("type") == "message.new":
            payload = event["message"]
            if payload.get("is_private"):  # defence in depth: never relay a note to a contact
                return
            current = self.conversation
            if current is not None and payload["conversation"] == str(current.public_id):
                if payload["seq"] <= self.replayed_seq:
                    return  # already sent by the resume that ran while this event queued
        if event.get("type") == "conversation.updated" and self.conversation is not None:
            if event["conversation"]["id"] == str(self.conversation.public_id):
                self.conversation.status = event["conversation"]["status"]
                self.conversation.owner = event["conversation"].get("owner", self.conversation.owner)
        await self.send_json(event)
