"""README's "Chat from both sides", followed as written in Chromium on the seeded demo (issue 12,
item 2): alice opens the console and is online without touching anything, so the demo page's
widget offers a live chat rather than its offline form; the chat reaches her queue and she
answers. Then she picks Away, and the next console she opens keeps it.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from agents.models import AgentProfile
from tests.browser.test_chat_in_browser import open_widget, sign_in_to_console, visitor_says, widget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_walkthrough_works_as_written(browser, server, artifacts):
    steps = README.read_text(encoding="utf-8").split("## Chat from both sides", 1)[1].split("\n## ", 1)[0]
    # The order the README gives: the console first, then the demo page.
    assert steps.index("/console/") < steps.index("/demo/") and "`helpdesk-alice`" in steps
    call_command("seed_demo", "--quiet", "--origin", server.url)
    assert AgentProfile.objects.get(user__username="alice").availability == "offline"  # as seeded
    alice = SimpleNamespace(username="alice", password="helpdesk-alice")

    console = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    visitor_context = browser.new_context()
    shop = visitor_context.new_page()
    try:
        # 1. The console: alice is online without choosing anything.
        sign_in_to_console(console, server, alice)
        expect(console.locator("#availability")).to_have_value("online")

        # 2. The demo page: a live chat, not the offline form.
        shop.goto(f"{server.url}/demo/")
        open_widget(shop)
        expect(widget(shop).locator("form.card:not([hidden])")).to_have_count(0)
        visitor_says(shop, "Hello, is anyone there?")
        expect(widget(shop).locator(".done")).to_be_hidden()  # not "we will answer by email"
        expect(widget(shop).locator(".status")).to_contain_text(re.compile("in the queue|chatting with"))

        # 3. The console: the conversation waits in the queue; claim it and reply.
        queued = console.locator("#queue li")
        expect(queued).to_contain_text("Hello, is anyone there?")
        queued.first.get_by_role("button").click()
        console.locator("#claim").click()
        console.locator("#composer-text").fill("Yes, Alice here. How can I help?")
        console.locator("#composer-text").press("Enter")
        expect(widget(shop).locator("li.m:not(.me):not(.sys)", has_text="Alice here")).to_have_count(1)
        console.screenshot(path=artifacts / "readme-walkthrough-console.png")

        # Alice chooses Away: her next console keeps it.
        console.locator("#availability").select_option("away")
        expect(console.locator("#availability")).to_have_value("away")
        profile = AgentProfile.objects.get(user__username="alice")
        for _ in range(50):  # the choice is stored before the reload
            if profile.availability_chosen:
                break
            console.wait_for_timeout(100)
            profile.refresh_from_db()
        assert profile.availability == "away" and profile.availability_chosen
        console.reload()
        expect(console.locator("#connection")).to_have_attribute("data-state", "connected")
        expect(console.locator("#availability")).to_have_value("away")
        assert AgentProfile.objects.get(user__username="alice").availability == "away"
    finally:
        console.context.close()
        visitor_context.close()
