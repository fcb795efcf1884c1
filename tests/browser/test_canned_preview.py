"""Canned responses in Chromium (issue 12, item 4): an anonymous visitor is greeted with the
fallback, never with "Hi , ..."; the agent sees the expanded text before it lands in the composer,
and a variable with no value and no fallback is flagged in the preview.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agents.models import CannedResponse
from chat.models import Conversation
from tests.browser.test_chat_in_browser import open_widget, sign_in_to_console, visitor_says, widget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_agent_previews_a_canned_response_with_its_fallback(
    browser, server, make_inbox, make_console_agent, artifacts
):
    inbox = make_inbox(server.url)
    alice = make_console_agent(inbox)
    CannedResponse.objects.create(
        short_code="hello", title="Greeting", text="Hi {{contact.name|there}}, this is {{agent.name}}."
    )
    CannedResponse.objects.create(
        short_code="greet", title="Old greeting", text="Hi {{contact.name}}, this is {{agent.name}}."
    )
    console = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    visitor_context = browser.new_context()
    shop = visitor_context.new_page()
    try:
        sign_in_to_console(console, server, alice)
        shop.goto(f"{server.url}/demo/?inbox={inbox.public_key}")
        open_widget(shop)
        visitor_says(shop, "My order is late")
        assert Conversation.objects.get().contact.name == ""  # anonymous
        console.locator("#queue li").get_by_role("button").click()
        console.locator("#claim").click()
        expect(console.locator("#mine li")).to_have_count(1)

        box = console.locator("#composer-text")
        box.fill("/gr")
        preview = console.locator("#canned-preview")
        expect(preview.locator(".canned-preview-text")).to_have_text("Hi , this is Alice Agent.")
        expect(preview.locator(".canned-warning")).to_contain_text("No value for {{contact.name}}")

        box.fill("/he")
        expect(console.locator("#canned-menu .canned-item")).to_have_count(1)
        expect(preview.locator(".canned-preview-text")).to_have_text("Hi there, this is Alice Agent.")
        expect(preview.locator(".canned-warning")).to_have_count(0)
        console.screenshot(path=artifacts / "console-canned-preview.png")
        box.press("Enter")  # picks the previewed text
        expect(box).to_have_value("Hi there, this is Alice Agent.")
        expect(preview).to_be_hidden()
        box.press("Enter")  # sends it
        expect(
            widget(shop).locator("li.m:not(.me):not(.sys)", has_text="Hi there, this is Alice Agent.")
        ).to_have_count(1)
        expect(widget(shop).locator("li.m", has_text="Hi ,")).to_have_count(0)
    finally:
        console.context.close()
        visitor_context.close()
