"""From the reports to a conversation, in Chromium (issue 12, item 3): a manager clicks a
conversation of a drill-down and reads it in the console, with its transcript, its activity (the
audit trail) and its rating. A manager who is an agent gets the whole console; one who is not reads
it read-only, with nothing that would act on it.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from playwright.sync_api import Page, expect

from agents.models import AgentProfile
from chat import services
from chat.models import Conversation, Inbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_rated_conversation() -> Conversation:
    inbox = Inbox.objects.get(name="Demo website")
    contact, _ = services.contact_create(inbox=inbox, name="Rosa")
    conversation, _ = services.conversation_start(contact=contact, text="My invoice is wrong", client_id="r1")
    alice = get_user_model().objects.get(username="alice")
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    services.message_send(
        conversation=conversation, sender=alice, text="Fixed, a new one is on its way.", client_id="a1"
    )
    conversation = services.conversation_resolve(conversation=conversation, actor=alice)
    services.conversation_rate(conversation=conversation, contact=contact, score=4, comment="Quick and kind")
    return conversation


def sign_in(page: Page, server, username: str, password: str, then: str) -> None:
    page.goto(f"{server.url}/accounts/login/?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def drill_down_to(page: Page, server, conversation: Conversation) -> None:
    page.goto(f"{server.url}/reports/conversations/rated/")
    link = page.get_by_role("link", name=f"#{conversation.number}")
    expect(link).to_have_attribute("href", f"/console/c/{conversation.public_id}/")
    link.click()
    expect(page).to_have_url(f"{server.url}/console/c/{conversation.public_id}/")


def expect_the_whole_conversation(page: Page, conversation: Conversation) -> None:
    expect(page.locator("#conv-title")).to_contain_text(f"#{conversation.number} · Rosa")
    expect(page.locator("#transcript")).to_contain_text("My invoice is wrong")
    expect(page.locator("#transcript")).to_contain_text("Fixed, a new one is on its way.")
    expect(page.locator("#conv-rating")).to_contain_text("4/5")
    expect(page.locator("#conv-rating q")).to_have_text("Quick and kind")
    for label in ("Claimed · Alice Agent", "Resolved · Alice Agent", "Rated"):
        expect(page.locator("#conv-activity")).to_contain_text(label)


def test_a_manager_opens_a_reported_conversation_in_the_console(browser, server, artifacts):
    call_command("seed_demo", "--quiet", "--origin", server.url)
    conversation = a_rated_conversation()
    rita = get_user_model().objects.create_user(
        username="rita", password="pw-rita-browser", first_name="Rita", is_staff=True
    )
    rita.user_permissions.add(Permission.objects.get(codename="view_all_conversations"))
    assert not AgentProfile.objects.filter(user=rita).exists()  # a manager who does not answer chats

    maria = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    reader = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        # Maria, a manager and an agent: the whole console, opened on that conversation.
        sign_in(maria, server, "maria", "helpdesk-maria", "/reports/")
        drill_down_to(maria, server, conversation)
        expect(maria.locator("#connection")).to_have_attribute("data-state", "connected")
        expect_the_whole_conversation(maria, conversation)
        expect(maria.locator("#reopen")).to_be_visible()  # she may act: reopen, notes
        expect(maria.locator("#composer")).to_be_visible()
        expect(maria.locator("#read-only")).to_have_count(0)

        # Rita, a manager who is not an agent: the same conversation, read-only.
        sign_in(reader, server, "rita", "pw-rita-browser", "/reports/")
        drill_down_to(reader, server, conversation)
        expect(reader.locator("#read-only")).to_be_visible()
        expect(reader.locator("#connection")).to_have_text("Read only")
        expect_the_whole_conversation(reader, conversation)
        for control in ("#reopen", "#resolve", "#composer", "#assign", "#transfer", "#tag-form", "#availability"):
            expect(reader.locator(control)).to_be_hidden()
        reader.screenshot(path=artifacts / "console-read-only-from-reports.png")
        assert reader.goto(f"{server.url}/console/").status == 403  # the live console is for agents
    finally:
        maria.context.close()
        reader.context.close()
