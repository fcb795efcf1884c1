"""The console's frames on the agent socket: what `hello` carries, pending, tags, assign,
canned responses, live @mentions and presence when the last console closes."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from agents.models import AgentProfile, CannedResponse, Team
from chat import services
from chat.models import Conversation, Inbox, Tag
from tests.agents.test_agent_socket import agent_session, start_chat
from tests.conftest import new_client_id

pytestmark = pytest.mark.django_db(transaction=True)


async def test_hello_carries_every_list_the_console_shows(inbox, make_contact, alice, bob, make_agent):
    def arrange():
        team = Team.objects.create(name="Support")
        team.members.add(alice)
        Tag.objects.create(name="vip", color="#b3182c")
        CannedResponse.objects.create(short_code="hello", title="Greeting", text="Hi {{contact.name}}!")
        CannedResponse.objects.create(
            short_code="elsewhere", text="x", inbox=Inbox.objects.create(name="Not alice's inbox")
        )
        waiting, _ = services.conversation_start(contact=make_contact("W").contact, text="w", client_id="w")
        mine, _ = services.conversation_start(contact=make_contact("M").contact, text="m", client_id="m")
        services.conversation_claim(conversation=mine, agent=alice)
        services.conversation_set_tags(conversation=mine, actor=alice, names=["vip"])
        theirs, _ = services.conversation_start(contact=make_contact("T").contact, text="t", client_id="t")
        services.conversation_claim(conversation=theirs, agent=bob)
        done, _ = services.conversation_start(contact=make_contact("D").contact, text="d", client_id="d")
        services.conversation_resolve(conversation=done, actor=alice)
        return team, waiting, mine, theirs, done

    team, waiting, mine, theirs, done = await database_sync_to_async(arrange)()
    sock, hello = await agent_session(alice)
    ids = lambda key: [c["id"] for c in hello[key]]  # noqa: E731
    assert ids("queue") == [str(waiting.public_id)]
    assert ids("mine") == [str(mine.public_id)]
    assert ids("others") == [str(theirs.public_id)]
    assert ids("resolved") == [str(done.public_id)]
    assert hello["mine"][0]["tags"] == ["vip"]
    assert hello["tags"] == [{"name": "vip", "color": "#b3182c"}]
    assert [c["short_code"] for c in hello["canned"]] == ["hello"]  # not another inbox's
    assert hello["teams"] == [team.pk] and hello["manager"] is False
    await sock.close()

    maria = await database_sync_to_async(make_agent)("maria", manager=True, inboxes=[])
    msock, mhello = await agent_session(maria)
    assert mhello["manager"] is True
    assert sorted(c["short_code"] for c in mhello["canned"]) == ["elsewhere", "hello"]
    await msock.close()


async def test_pending_tags_and_assign_frames(inbox, visitor, alice, bob):
    await database_sync_to_async(Tag.objects.create)(name="refund")
    a, _ = await agent_session(alice)
    vsock, cid = await start_chat(inbox, visitor)
    await a.request({"type": "conversation.claim", "conversation": cid}, "conversation.ack")

    pending = await a.request(
        {"type": "conversation.pending", "conversation": cid, "pending": True}, "conversation.ack"
    )
    assert pending["conversation"]["status"] == "pending"
    seen = await vsock.recv_until("conversation.updated")
    while seen["conversation"]["status"] != "pending":
        seen = await vsock.recv_until("conversation.updated")
    assert "tags" not in seen["conversation"] and "team" not in seen["conversation"]
    bad = await a.request({"type": "conversation.pending", "conversation": cid, "pending": "yes"})
    assert bad["type"] == "error" and bad["code"] == "invalid"
    back = await a.request({"type": "conversation.pending", "conversation": cid, "pending": False}, "conversation.ack")
    assert back["conversation"]["status"] == "open"

    tagged = await a.request({"type": "conversation.tags", "conversation": cid, "tags": ["refund"]}, "conversation.ack")
    assert tagged["conversation"]["tags"] == ["refund"]
    unknown = await a.request({"type": "conversation.tags", "conversation": cid, "tags": ["made-up"]})
    assert unknown["code"] == "unknown_tag"
    not_a_list = await a.request({"type": "conversation.tags", "conversation": cid, "tags": "refund"})
    assert not_a_list["code"] == "invalid"

    assigned = await a.request(
        {"type": "conversation.assign", "conversation": cid, "agent": bob.pk}, "conversation.ack"
    )
    assert assigned["conversation"]["assignee"] == {"name": "Bob", "id": bob.pk}
    nobody = await a.request({"type": "conversation.assign", "conversation": cid, "agent": 999_999})
    assert nobody["code"] == "not_found"
    wrong = await a.request({"type": "conversation.assign", "conversation": cid, "agent": "bob"})
    assert wrong["code"] == "invalid"
    await a.close()
    await vsock.close()


async def test_canned_responses_expand_with_the_conversations_variables(inbox, make_contact, alice):
    def arrange():
        CannedResponse.objects.create(
            short_code="refund",
            text="Hi {{ contact.name }}, {{agent.name}} here: #{{conversation.number}} is refunded. {{unknown.x}}",
        )
        CannedResponse.objects.create(short_code="other", text="x", inbox=Inbox.objects.create(name="Elsewhere"))
        conversation, _ = services.conversation_start(
            contact=make_contact("Vera Visitor").contact, text="hi", client_id="c1"
        )
        return conversation

    conversation = await database_sync_to_async(arrange)()
    a, _ = await agent_session(alice)
    cid = str(conversation.public_id)
    expanded = await a.request({"type": "canned.expand", "conversation": cid, "short_code": "/refund"})
    assert expanded["type"] == "canned.expanded" and expanded["short_code"] == "refund"
    assert expanded["text"] == f"Hi Vera Visitor, Alice here: #{conversation.number} is refunded. {{{{unknown.x}}}}"
    for code, error in [("other", "not_found"), ("missing", "not_found"), (7, "invalid"), ("x" * 40, "invalid")]:
        reply = await a.request({"type": "canned.expand", "conversation": cid, "short_code": code})
        assert reply["type"] == "error" and reply["code"] == error, code
    # Expanding sends nothing: the transcript is unchanged.
    assert await database_sync_to_async(lambda: Conversation.objects.get(pk=conversation.pk).last_seq)() == 1
    await a.close()


async def test_a_mention_reaches_the_named_agent_live_and_never_the_visitor(inbox, visitor, alice, bob):
    a, _ = await agent_session(alice)
    b, _ = await agent_session(bob)
    vsock, cid = await start_chat(inbox, visitor)
    await a.request({"type": "conversation.claim", "conversation": cid}, "conversation.ack")
    note = {"type": "note.add", "conversation": cid, "text": "@bob can you take the invoice part?"}
    await a.request({**note, "client_id": new_client_id()}, "message.ack")
    mention = await b.recv_until("mention")
    assert mention["conversation"] == cid and mention["by"] == "Alice"
    assert mention["message"]["text"] == "@bob can you take the invoice part?"
    frames = await vsock.drain()
    assert not [f for f in frames if "invoice" in str(f)]
    assert not [f for f in await a.drain() if f["type"] == "mention"]  # alice named nobody of hers
    await a.close()
    await b.close()
    await vsock.close()


async def test_closing_the_last_console_shows_the_agent_offline_to_colleagues(alice, bob):
    a, _ = await agent_session(alice)
    b1, _ = await agent_session(bob)
    b2, _ = await agent_session(bob)
    await b1.close()
    assert not [f for f in await a.drain() if f["type"] == "agent.updated"]  # bob still has a console
    await b2.close()
    gone = await a.recv_until("agent.updated")
    assert gone["agent"]["id"] == bob.pk and gone["agent"]["availability"] == "offline"
    profile = await database_sync_to_async(AgentProfile.objects.get)(user=bob)
    assert profile.availability == "online"  # the choice is kept for the next console
    b3, _ = await agent_session(bob)
    back = await a.recv_until("agent.updated")
    assert back["agent"]["id"] == bob.pk and back["agent"]["availability"] == "online"
    await b3.close()
    await a.close()


async def test_an_agent_sends_an_uploaded_file_in_a_message(inbox, visitor, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a, _ = await agent_session(alice)
    vsock, cid = await start_chat(inbox, visitor)
    await a.request({"type": "conversation.claim", "conversation": cid}, "conversation.ack")

    def upload():
        conversation = Conversation.objects.select_related("contact").get(public_id=cid)
        file = SimpleUploadedFile("receipt.txt", b"Receipt 42, paid\n", content_type="text/plain")
        return services.attachment_upload(conversation=conversation, uploader=alice, upload=file)

    attachment = await database_sync_to_async(upload)()
    frame = {"type": "message.send", "conversation": cid, "text": "", "client_id": new_client_id()}
    ack = await a.request({**frame, "attachments": [str(attachment.public_id)]}, "message.ack")
    assert ack["type"] == "message.ack", ack
    assert [f["name"] for f in ack["message"]["attachments"]] == ["receipt.txt"]
    bad = await a.request({**frame, "client_id": new_client_id(), "attachments": "nope"})
    assert bad["type"] == "error"
    await a.close()
    await vsock.close()


async def test_hello_lists_recent_mentions_of_active_conversations(inbox, make_contact, alice, bob, clock):
    def arrange():
        active, _ = services.conversation_start(contact=make_contact("A").contact, text="a", client_id="a")
        services.note_add(conversation=active, agent=alice, text="@bob look at this", client_id="n1")
        done, _ = services.conversation_start(contact=make_contact("D").contact, text="d", client_id="d")
        services.note_add(conversation=done, agent=alice, text="@bob and this", client_id="n2")
        services.conversation_resolve(conversation=done, actor=alice)
        return Conversation.objects.get(pk=active.pk)

    active = await database_sync_to_async(arrange)()
    b, hello = await agent_session(bob)
    assert hello["mentions"] == [
        {
            "conversation": str(active.public_id),
            "number": active.number,
            "seq": 2,
            "by": "Alice",
            "created_at": clock().isoformat(),
        }
    ]
    await b.close()
    a, alice_hello = await agent_session(alice)
    assert alice_hello["mentions"] == []  # alice named others, nobody named her
    await a.close()
    clock.advance(days=8)
    b, later = await agent_session(bob)
    assert later["mentions"] == []  # older than a week
    await b.close()
