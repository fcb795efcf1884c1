"""The event schema: one builder per event type the sockets relay, each with its fields typed.

Services build every event here and hand it to ``chat.realtime``; the sockets relay it as it is.
Replies to a client's frame (``message.ack``, ``conversation.ack``, ...) are not events and stay
with the consumers. ``EVENTS`` maps each type to its shape; a test checks every builder against it
and against the event tables of docs/protocol.md (4.2 for the contact, 5.2 for agents).
"""

# No ``from __future__ import annotations`` here: TypedDict reads NotRequired from evaluated
# annotations only (Python 3.11).
from typing import Any, Literal, NotRequired, TypedDict

from chat.choices import SenderKind
from chat.models import Contact, Conversation, Message, SatisfactionRating
from chat.payloads import contact_payload, conversation_payload, message_payload, rating_payload

Payload = dict[str, Any]


class MessageNew(TypedDict):
    type: Literal["message.new"]
    message: Payload
    replay: NotRequired[bool]  # only on messages a resume sends again


class ConversationUpdated(TypedDict):
    type: Literal["conversation.updated"]
    conversation: Payload


class QueuePosition(TypedDict):  # to the waiting contact only
    type: Literal["queue.position"]
    conversation: str
    position: int
    waiting: int
    estimated_wait_seconds: int | None


class Typist(TypedDict):
    kind: str
    name: str
    id: NotRequired[int]  # agents' copy of an agent's typing only


class Typing(TypedDict):
    type: Literal["typing"]
    conversation: str
    is_typing: bool
    sender: Typist


class Read(TypedDict):
    type: Literal["read"]
    conversation: str
    reader: str
    seq: NotRequired[int]  # the contact's copy: its own stream
    public_seq: NotRequired[int]  # the agents' copy


class Rating(TypedDict):
    type: Literal["rating"]
    rating: Payload


class AgentUpdated(TypedDict):  # to every agent socket
    type: Literal["agent.updated"]
    agent: Payload


class ConversationTransferred(TypedDict):  # to the receiving agent only
    type: Literal["conversation.transferred"]
    conversation: str
    by: str
    note: str


class Mention(TypedDict):  # to the agent named only
    type: Literal["mention"]
    conversation: str
    number: int | None
    by: str
    message: Payload


class ContactUpdated(TypedDict):  # to the agents of the contact's inbox
    type: Literal["contact.updated"]
    contact: Payload


EVENTS: dict[str, type] = {
    "message.new": MessageNew,
    "conversation.updated": ConversationUpdated,
    "queue.position": QueuePosition,
    "typing": Typing,
    "read": Read,
    "rating": Rating,
    "agent.updated": AgentUpdated,
    "conversation.transferred": ConversationTransferred,
    "mention": Mention,
    "contact.updated": ContactUpdated,
}


def message_new(
    message: Message, *, conversation_id: str, for_contact: bool = False, replay: bool = False
) -> MessageNew:
    event: MessageNew = {
        "type": "message.new",
        "message": message_payload(message, conversation_id=conversation_id, for_contact=for_contact),
    }
    if replay:
        event["replay"] = True
    return event


def conversation_updated(conversation: Conversation, *, for_contact: bool = False) -> ConversationUpdated:
    return {"type": "conversation.updated", "conversation": conversation_payload(conversation, for_contact=for_contact)}


def queue_position(
    *, conversation_id: str, position: int, waiting: int, estimated_wait_seconds: int | None
) -> QueuePosition:
    return {
        "type": "queue.position",
        "conversation": conversation_id,
        "position": position,
        "waiting": waiting,
        "estimated_wait_seconds": estimated_wait_seconds,
    }


def typing(*, conversation_id: str, is_typing: bool, kind: str, name: str, agent_id: int | None = None) -> Typing:
    """``agent_id``: the typist's id, in the agents' copy only (so a console ignores its own echo)."""
    sender: Typist = {"kind": kind, "name": name}
    if agent_id is not None:
        sender["id"] = agent_id
    return {"type": "typing", "conversation": conversation_id, "is_typing": bool(is_typing), "sender": sender}


def read(*, conversation_id: str, by_contact: bool, mark: int, for_contact: bool) -> Read:
    """A read mark moved: the contact's copy counts in its stream (``seq``), the agents' in
    public entries (``public_seq``): the same number, named for each reader's stream."""
    event: Read = {
        "type": "read",
        "conversation": conversation_id,
        "reader": SenderKind.CONTACT if by_contact else SenderKind.AGENT,
    }
    event["seq" if for_contact else "public_seq"] = mark
    return event


def rating(rating: SatisfactionRating, *, conversation_id: str) -> Rating:
    return {"type": "rating", "rating": rating_payload(rating, conversation_id=conversation_id)}


def agent_updated(agent: Payload) -> AgentUpdated:
    return {"type": "agent.updated", "agent": agent}


def conversation_transferred(*, conversation_id: str, by: str, note: str) -> ConversationTransferred:
    return {"type": "conversation.transferred", "conversation": conversation_id, "by": by, "note": note}


def mention(message: Message, *, conversation: Conversation, by: str) -> Mention:
    conversation_id = str(conversation.public_id)
    return {
        "type": "mention",
        "conversation": conversation_id,
        "number": conversation.number,
        "by": by,
        "message": message_payload(message, conversation_id=conversation_id),
    }


def contact_updated(contact: Contact) -> ContactUpdated:
    """The contact as agents now see it (a verified identity, a name or an email it gave):
    consoles update every conversation of that contact and its open contact panel."""
    return {"type": "contact.updated", "contact": contact_payload(contact)}
