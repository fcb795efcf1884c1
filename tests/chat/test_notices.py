"""System messages are stored as a code with parameters and rendered in the reader's language
(DESIGN rule 11): every code has its template in both languages and in both catalogues, every
service stores its code, and every place that shows a system message renders it for its reader:
the payload (for the widget and the console), transcripts, e-mails and the conversation page."""

from __future__ import annotations

import ast
import importlib
import re
from gettext import GNUTranslations

import pytest
from django.apps import apps
from django.utils import translation

from chat import notices, services
from chat.choices import SenderKind
from chat.models import Conversation, Message
from chat.payloads import message_payload
from chat.tasks import chat_link_token, send_transcript
from chat.transcripts import transcript_text
from tests.servers import ROOT

MESSAGES = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
JS_NOTICES = ROOT / "static" / "shared" / "i18n.js"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


def js_notices() -> dict[str, str]:
    """code -> template of static/shared/i18n.js, read from its source."""
    source = JS_NOTICES.read_text()
    body = source.split("const NOTICES = {", 1)[1].split("};", 1)[0]
    found = re.findall(r'^\s*(\w+): gettext_noop\(("(?:[^"\\]|\\.)*")\),$', body, re.M)
    return {code: ast.literal_eval(text) for code, text in found}


def catalogue(domain: str) -> dict[str, str]:
    with (MESSAGES / f"{domain}.mo").open("rb") as mo:
        return GNUTranslations(mo)._catalog


# --- coverage, generated from the one table of codes ------------------------------------------


@pytest.mark.parametrize("code", sorted(notices.TEMPLATES))
def test_every_code_has_its_template_in_both_languages_and_both_catalogues(code):
    template = notices.TEMPLATES[code]
    assert js_notices().get(code) == template, "static/shared/i18n.js must hold the same template"
    for domain in ("django", "djangojs"):
        chinese = catalogue(domain).get(template)
        assert chinese, f"{template!r} is not translated in locale/zh_Hans/LC_MESSAGES/{domain}.po"
        assert set(PLACEHOLDER.findall(chinese)) == set(PLACEHOLDER.findall(template)), (domain, chinese)
        assert not re.search(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", chinese)), f"still English: {chinese!r}"
    params = {name: "Ann" for name in PLACEHOLDER.findall(template)}
    with translation.override("zh-hans"):
        assert notices.render(code, params) == catalogue("django")[template] % params
    assert notices.english(code, params) == template % params


def test_the_scripts_know_no_code_that_python_does_not():
    assert set(js_notices()) == set(notices.TEMPLATES)


def test_an_unknown_code_is_refused_when_stored_and_shown_as_its_text_when_read():
    with pytest.raises(ValueError):
        notices.check("no_such_code")
    assert notices.render("no_such_code", {}, fallback="As stored.") == "As stored."
    assert notices.render(notices.JOINED, {}) == " joined the conversation."  # a missing value is blank


# --- every service stores its code ------------------------------------------------------------


def system_messages(conversation) -> list[tuple[str, dict, str]]:
    rows = conversation.messages.filter(sender_kind=SenderKind.SYSTEM).order_by("seq")
    return [(m.code, m.params, m.text) for m in rows]


def test_the_services_store_codes_with_parameters_and_english_text(visitor, alice, bob, team):
    conversation, _ = services.conversation_start(contact=visitor.contact, text="Hi", client_id="c1")
    services.conversation_claim(conversation=conversation, agent=alice)
    services.conversation_transfer(conversation=conversation, actor=alice, to_agent=bob)
    services.conversation_transfer(conversation=conversation, actor=bob, to_team=team)
    services.conversation_assign(conversation=conversation, agent=bob, actor=None, auto=True)
    services.conversation_requeue(conversation=conversation, reason="timeout", missed=True)
    services.conversation_claim(conversation=conversation, agent=alice)
    services.conversation_resolve(conversation=conversation, actor=alice)
    services.conversation_reopen(conversation=conversation, actor=visitor.contact)
    assert system_messages(conversation) == [
        ("joined", {"name": "Alice"}, "Alice joined the conversation."),
        ("transferred_to_agent", {"name": "Bob"}, "Transferred to Bob."),
        ("transferred_to_team", {"team": "Billing"}, "Transferred to the Billing team."),
        ("joined", {"name": "Bob"}, "Bob joined the conversation."),
        ("requeued", {}, "We are connecting you with another agent."),
        ("joined", {"name": "Alice"}, "Alice joined the conversation."),
        ("resolved", {}, "The conversation was resolved."),
        ("reopened", {}, "The conversation was reopened."),
    ]


def test_the_inactivity_timers_store_their_codes(inbox, visitor, alice, clock):
    inbox.inactivity_reminder_seconds, inbox.inactivity_close_seconds = 60, 60
    inbox.save()
    conversation, _ = services.conversation_start(contact=visitor.contact, text="Hi", client_id="c1")
    services.conversation_claim(conversation=conversation, agent=alice)
    clock.advance(5)
    conversation = Conversation.objects.get(pk=conversation.pk)
    services.message_send(conversation=conversation, sender=alice, text="?", client_id="a")
    clock.advance(61)
    assert services.conversations_remind_silent(inbox=inbox, now=clock()) == 1
    clock.advance(61)
    assert services.conversations_close_silent(inbox=inbox, now=clock()) == 1
    codes = [code for code, _params, _text in system_messages(conversation)]
    assert codes == ["joined", "inactivity_reminder", "inactivity_closed"]


# --- every reader reads its language ----------------------------------------------------------


@pytest.fixture
def chat(visitor, alice) -> Conversation:
    conversation, _ = services.conversation_start(
        contact=visitor.contact, text="你好", client_id="c1", context={"language": "zh-CN"}
    )
    services.conversation_claim(conversation=conversation, agent=alice)
    services.conversation_resolve(conversation=conversation, actor=alice)
    return Conversation.objects.select_related("contact", "inbox").get(pk=conversation.pk)


def test_the_payload_carries_the_code_and_params_to_agents_and_the_contact(chat):
    joined = chat.messages.get(code=notices.JOINED)
    for for_contact in (False, True):
        payload = message_payload(joined, conversation_id=str(chat.public_id), for_contact=for_contact)
        assert payload["code"] == "joined" and payload["params"] == {"name": "Alice"}
        assert payload["text"] == "Alice joined the conversation."
    said = chat.messages.get(sender_kind=SenderKind.CONTACT)
    payload = message_payload(said, conversation_id=str(chat.public_id))
    assert payload["code"] is None and payload["params"] == {} and payload["text"] == "你好"


def test_transcripts_render_system_messages_in_the_active_language(chat):
    messages = list(chat.messages.order_by("seq"))
    with translation.override("zh-hans"):
        chinese = transcript_text(chat, messages)
        for_agent = transcript_text(chat, messages, for_agent=True)
    assert "Alice 加入了会话。" in chinese and "会话已解决。" in chinese and "joined" not in chinese
    assert "Alice 加入了会话。" in for_agent
    english = transcript_text(chat, messages)
    assert "Alice joined the conversation." in english and "The conversation was resolved." in english


def test_the_emailed_transcript_is_in_the_visitors_language(chat, mailoutbox):
    assert send_transcript.call(chat.pk, "vera@example.com") is True
    body = mailoutbox[-1].body
    assert "Alice 加入了会话。" in body and "会话已解决。" in body and "joined the conversation" not in body


def test_the_widget_transcript_download_follows_the_widgets_language(chat, visitor, client):
    url = f"/api/widget/{chat.inbox.public_key}/conversations/{chat.public_id}/transcript.txt"
    auth = {"Authorization": f"Bearer {visitor.token}"}
    chinese = client.get(url, headers={**auth, "Accept-Language": "zh-Hans"}).content.decode()
    english = client.get(url, headers={**auth, "Accept-Language": "en"}).content.decode()
    assert "Alice 加入了会话。" in chinese and "Alice joined the conversation." in english


def test_the_conversation_page_renders_system_messages_in_the_readers_language(chat, client):
    path = f"/chat/{chat_link_token(chat)}/"
    chinese = client.get(path, headers={"Accept-Language": "zh-Hans"}).content.decode()
    assert "Alice 加入了会话。" in chinese and "joined the conversation" not in chinese
    english = client.get(path, headers={"Accept-Language": "en"}).content.decode()
    assert "Alice joined the conversation." in english


# --- the data migration ------------------------------------------------------------------------


def test_existing_english_system_messages_get_their_codes(chat):
    convert = importlib.import_module("chat.migrations.0011_system_messages_as_codes")
    sentences = [
        "Ann Agent joined the conversation.",
        "Transferred to Bob.",
        "Transferred to the Billing team.",
        "The conversation was reopened.",
        "We are connecting you with another agent.",
        "Are you still there? This chat will close soon if we don't hear from you.",
        "This chat was closed because we didn't hear back. Write again any time to reopen it.",
        "Something an older version said.",
    ]
    Message.objects.filter(conversation=chat).update(code="", params={})
    seq = chat.last_seq
    for offset, text in enumerate(sentences, start=1):
        Message.objects.create(
            conversation=chat, seq=seq + offset, sender_kind=SenderKind.SYSTEM, text=text, created_at=chat.created_at
        )
    convert.forwards(apps, None)
    rows = dict(Message.objects.filter(sender_kind=SenderKind.SYSTEM).values_list("text", "code"))
    params = dict(Message.objects.filter(sender_kind=SenderKind.SYSTEM).values_list("text", "params"))
    assert rows == {
        "Alice joined the conversation.": "joined",
        "The conversation was resolved.": "resolved",
        "Ann Agent joined the conversation.": "joined",
        "Transferred to Bob.": "transferred_to_agent",
        "Transferred to the Billing team.": "transferred_to_team",
        "The conversation was reopened.": "reopened",
        "We are connecting you with another agent.": "requeued",
        sentences[5]: "inactivity_reminder",
        sentences[6]: "inactivity_closed",
        "Something an older version said.": "",
    }
    assert params["Ann Agent joined the conversation."] == {"name": "Ann Agent"}
    assert params["Transferred to the Billing team."] == {"team": "Billing"}
    # Every sentence the migration knows is the English of a code, so nothing is left behind.
    for code, _pattern in convert.KNOWN:
        assert code in notices.TEMPLATES
