"""Suggested replies in a real console: the bar shows for the visitor's latest message, Alt+1 puts
the first suggestion into the composer (filled in for the contact) without sending anything, and
what the agent then sends is recorded as sent, edited or not."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from agents.models import CannedResponse
from assist.models import Suggestion
from chat import services
from chat.choices import SenderKind
from chat.models import Message
from tests.browser.test_chat_in_browser import sign_in_to_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUND = "Hi {{contact.name|there}}, refunds reach your card within 5 working days of our receiving the parcel."


def test_alt_1_inserts_a_suggestion_and_nothing_is_sent_by_itself(browser, server, make_inbox, make_console_agent):
    inbox = make_inbox(server.url)
    alice = make_console_agent(inbox)
    CannedResponse.objects.create(short_code="refund", title="Refund timing", text=REFUND)
    contact, _ = services.contact_create(inbox=inbox, name="Dana")
    conversation, _ = services.conversation_start(
        contact=contact, text="When will my refund arrive? I sent the parcel back", client_id=uuid.uuid4().hex
    )
    services.conversation_claim(conversation=conversation, agent=alice.user)
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        sign_in_to_console(page, server, alice)
        page.locator("#mine li").get_by_role("button").first.click()
        bar = page.locator("#suggestions")
        expect(bar).to_be_visible(timeout=90_000)  # the server loads its encoders on the first one
        expect(bar.locator(".suggestion").first).to_contain_text("Refund timing")
        page.locator("#transcript").click()
        page.keyboard.press("Alt+1")
        box = page.locator("#composer-text")
        expected = "Hi Dana, refunds reach your card within 5 working days of our receiving the parcel."
        expect(box).to_have_value(expected)
        expect(box).to_be_focused()
        page.wait_for_timeout(500)
        assert not Message.objects.filter(conversation=conversation, sender_kind=SenderKind.AGENT).exists()
        row = Suggestion.objects.get(source="canned:refund")
        assert row.used_at is not None and row.sent_at is None
        box.press("End")
        box.press_sequentially(" Sorry for the wait!")
        box.press("Enter")
        expect(page.locator("#transcript li.msg.agent:not(.pending)")).to_contain_text("Sorry for the wait!")
        for _ in range(50):
            row.refresh_from_db()
            if row.sent_at:
                break
            page.wait_for_timeout(100)
        assert row.sent_at is not None and row.edited is True
    finally:
        page.context.close()
