"""Accessibility checked by axe-core (tests/browser/axe.py) in Chromium: the widget (open, in both
languages, with a conversation under way and once resolved with its survey), the console with a
conversation open, the reports in both languages, and the sign-in page. A serious or critical
violation fails the test with axe's own description of it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from chat import services
from chat.models import Conversation
from tests.browser.agent_socket import AgentSocket
from tests.browser.axe import assert_accessible
from tests.browser.test_chat_in_browser import sign_in_to_console
from tests.browser.test_widget import SHOP, open_widget, widget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def host_page(host_site, server):
    """A customer's page on another origin that embeds the widget of an inbox; returns its URL."""
    return lambda inbox: host_site(
        SHOP.format(before="", src=f"{server.url}/static/widget/loader.js", key=inbox.public_key)
    )


def test_the_sign_in_page(browser, server):
    page = browser.new_page()
    try:
        page.goto(f"{server.url}/accounts/login/?next=/console/")
        expect(page.get_by_label("Username")).to_be_visible()
        assert_accessible(page, "the sign-in page")
    finally:
        page.close()


@pytest.mark.parametrize(
    ("locale", "open_label", "resolved_text"),
    [
        ("en-GB", "Open chat", "The conversation was resolved."),
        ("zh-CN", "打开聊天", "会话已解决。"),
    ],
)
def test_the_open_widget_in_each_language(
    browser,
    server,
    make_inbox,
    make_console_agent,
    host_page,
    host_site,
    artifacts,
    locale,
    open_label,
    resolved_text,
):
    inbox = make_inbox(host_site.origin)
    alice = make_console_agent(inbox)
    agent = AgentSocket(server, alice.user)
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale=locale)
    page = context.new_page()
    try:
        page.goto(host_page(inbox))
        open_widget(page, open_label)
        assert_accessible(page, f"the open widget ({locale}), empty", include="[data-helpdesk-widget]")
        box = widget(page).locator("textarea").last
        box.fill("Where is my order?")
        box.press("Enter")
        expect(widget(page).locator("li.m.me:not(.pending)")).to_have_count(1)
        conversation = Conversation.objects.get()
        agent.request({"type": "conversation.claim", "conversation": str(conversation.public_id)})
        agent.say(conversation, "It ships today.")
        expect(widget(page).locator(".log")).to_contain_text("It ships today.")
        assert_accessible(page, f"the open widget ({locale}), chatting", include="[data-helpdesk-widget]")
        agent.request({"type": "conversation.resolve", "conversation": str(conversation.public_id)})
        expect(widget(page).locator("li.sys").last).to_have_text(resolved_text)
        expect(widget(page).locator(".rate button").first).to_be_visible()
        page.screenshot(path=artifacts / f"widget-survey-{locale}.png")
        assert_accessible(page, f"the open widget ({locale}), with its survey", include="[data-helpdesk-widget]")
    finally:
        agent.close()
        context.close()


def test_the_console_with_a_conversation_open(browser, server, make_inbox, make_console_agent):
    inbox = make_inbox(server.url)
    alice = make_console_agent(inbox)
    contact, _token = services.contact_create(inbox=inbox)
    conversation, _created = services.conversation_start(contact=contact, text="Hello, my order is late", client_id="1")
    services.conversation_claim(conversation=conversation, agent=alice.user)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        sign_in_to_console(page, server, alice)
        page.locator("#mine li").first.click()
        expect(page.locator("#transcript")).to_contain_text("Hello, my order is late")
        assert_accessible(page, "the console")
    finally:
        context.close()


def test_the_reports_in_both_languages(browser, server):
    call_command("seed_demo", "--quiet", "--origin", server.url)
    call_command("generate_demo_data", "--days", "14", "--total", "150", stdout=open("/dev/null", "w"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/accounts/login/?next=/reports/")
        page.fill("#id_username", "maria")
        page.fill("#id_password", "helpdesk-maria")
        page.click("button[type=submit]")
        expect(page.get_by_role("heading", name="Satisfaction and performance")).to_be_visible()
        assert_accessible(page, "the reports")
        page.locator("#language").select_option("zh-hans")
        expect(page.get_by_role("heading", name="满意度与绩效")).to_be_visible()
        assert_accessible(page, "the reports in Chinese")
    finally:
        context.close()
