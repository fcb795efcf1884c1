# ruff: noqa: RUF001  (Chinese text takes full-width punctuation)
"""The bot in a real Chromium against a real daphne process, answering from the committed demo
knowledge base: a visitor on /demo/ asks in English and in Chinese and gets the right articles,
answers "Did that help?", asks for a person and lands in the queue; the agent sees the bot's
messages, the handoff's reason and the articles offered, takes over and drafts an article from
an answer; the Help tab searches the help centre as the visitor types."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from agents.management.commands.seed_demo import DEMO_KB
from chat.models import Conversation
from knowledge.models import Article
from tests.browser.conftest import console_open
from tests.browser.test_chat_in_browser import open_widget, sign_in_to_console, visitor_says, widget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bot_inbox(make_inbox, server):
    call_command("kb_import", str(DEMO_KB), verbosity=0)
    inbox = make_inbox(server.url)
    inbox.bot_enabled = True
    inbox.bot_name = "Northwind bot"
    inbox.save()
    return inbox


def test_the_bot_answers_then_hands_off_to_the_agent(browser, server, bot_inbox, make_console_agent):
    alice = make_console_agent(bot_inbox)
    console_context = browser.new_context(viewport={"width": 1280, "height": 800})
    visitor_context = browser.new_context(viewport={"width": 1200, "height": 800})
    console = console_context.new_page()
    shop = visitor_context.new_page()
    try:
        sign_in_to_console(console, server, alice)
        shop.goto(f"{server.url}/demo/?inbox={bot_inbox.public_key}")
        open_widget(shop)
        w = widget(shop)

        # English: the payment methods article, as a short answer and a link.
        visitor_says(shop, "Which payment methods do you accept?")
        first = w.locator("li.m.bot").nth(0)
        expect(first.locator("a")).to_have_text("Which payment methods do you accept?", timeout=10000)
        expect(first.locator("a")).to_have_attribute("href", re.compile(r"/help/en/payment-methods/$"))
        expect(first.locator(".who")).to_have_text("Northwind bot")
        expect(w.locator(".status")).to_have_text("You are chatting with Northwind bot.")
        expect(w.get_by_role("button", name="Talk to a person")).to_be_visible()
        first.get_by_role("button", name="Yes").wait_for()

        # Chinese: the password article, in Chinese.
        visitor_says(shop, "忘记密码了，无法登录")
        second = w.locator("li.m.bot").nth(1)
        link = re.compile(r"/help/zh-hans/reset-password/$")
        expect(second.locator("a")).to_have_attribute("href", link, timeout=10000)
        expect(second.locator("a")).to_have_text("忘记密码或无法登录")

        # The agent sees it under Bot, read-only, with the bot's messages.
        console.locator("#tab-bot").click()
        bot_list = console.locator("#view-list li")
        expect(bot_list).to_have_count(1)
        expect(console.locator("#queue li")).to_have_count(0)
        bot_list.get_by_role("button").click()
        expect(console.locator("#transcript li.msg.bot")).to_have_count(2)
        expect(console.locator("#transcript li.msg.bot").nth(0)).to_contain_text("Which payment methods do you accept?")
        expect(console.locator("#claim")).to_have_text("Take over")

        # "No" on the last answer; then the visitor asks for a person and lands in the queue.
        second.get_by_role("button", name="No").click()
        expect(second.get_by_role("button", name="No")).to_have_count(0)
        w.get_by_role("button", name="Talk to a person").click()
        expect(w.locator(".status")).to_have_text("You are number 1 of 1 in the queue.")
        expect(w.get_by_role("button", name="Talk to a person")).to_be_hidden()

        # The agent: the conversation waits in the queue, with the banner of the handoff.
        expect(console.locator("#queue li")).to_have_count(1)
        banner = console.locator("#handoff")
        expect(banner).to_contain_text("The visitor asked for a person.")
        expect(banner.locator("li")).to_have_count(2)
        expect(banner.locator("li").nth(1)).to_contain_text("not helpful")
        expect(banner.get_by_role("link", name="Which payment methods do you accept?")).to_be_visible()
        console.locator("#claim").click()
        expect(console.locator("#mine li")).to_have_count(1)
        console.locator("#composer-text").fill("Hi, I'm Alice: let me reset that for you.")
        console.locator("#composer-text").press("Enter")
        reply = console.locator("#transcript li.msg.agent:not(.pending)", has_text="let me reset that")
        expect(reply).to_have_count(1)
        expect(w.locator("li.m:not(.me):not(.sys)", has_text="let me reset that")).to_have_count(1)

        # An agent's answer becomes a draft article.
        reply.get_by_role("button", name="Draft article from this answer").click()
        expect(console.locator("#notice")).to_contain_text("Draft article")
    finally:
        console_context.close()
        visitor_context.close()
    conversation = Conversation.objects.get(inbox=bot_inbox)
    assert conversation.handoff["reason"] == "asked_for_human" and conversation.assignee == alice.user
    draft = Article.objects.get(source_conversation=conversation)
    assert draft.status == "draft" and "let me reset that" in draft.body


def test_the_help_tab_searches_as_the_visitor_types(browser, server, bot_inbox, make_console_agent):
    console_open(make_console_agent(bot_inbox))
    context = browser.new_context()
    shop = context.new_page()
    loaded: list[str] = []
    shop.on("request", lambda r: loaded.append(r.url))
    try:
        shop.goto(f"{server.url}/demo/?inbox={bot_inbox.public_key}")
        open_widget(shop)
        assert not [u for u in loaded if "/widget/help" in u]  # not part of the first download
        w = widget(shop)
        w.get_by_role("button", name="Help").click()
        search = shop.get_by_role("searchbox", name="Search our help centre")
        expect(search).to_be_focused()
        search.press_sequentially("password", delay=30)
        expect(w.locator(".help li a").first).to_have_text("I forgot my password or can't log in")
        search.fill("zzzzqqq")
        expect(w.locator(".help [role=status]")).to_have_text("No articles found.")
        w.get_by_role("button", name="← Back to the chat").click()
        expect(shop.get_by_role("textbox", name="Your message")).to_be_visible()
    finally:
        context.close()
    assert [u for u in loaded if "/widget/help" in u]


def test_with_nobody_online_the_bot_still_answers_and_a_handoff_asks_for_an_email(browser, server, bot_inbox):
    """No agent has a console open: without the bot the widget would show its offline form; with
    it, the bot answers, and on a handoff the visitor is told nobody is there and leaves an email
    for the reply (the conversation is then an offline one: unread replies are emailed)."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    shop = context.new_page()
    try:
        shop.goto(f"{server.url}/demo/?inbox={bot_inbox.public_key}")
        open_widget(shop)
        w = widget(shop)
        expect(w.get_by_role("heading", name="Leave us a message")).to_be_hidden()
        visitor_says(shop, "Which payment methods do you accept?")
        expect(w.locator("li.m.bot").nth(0).locator("a")).to_have_attribute(
            "href", re.compile(r"/help/en/payment-methods/$"), timeout=10000
        )
        w.get_by_role("button", name="Talk to a person").click()
        expect(w.locator(".status")).to_have_text(
            "Nobody is available right now. Leave your email and we will reply as soon as we can."
        )
        email = w.get_by_role("textbox", name="Your email")
        email.fill("vera@example.com")
        email.press("Enter")
        expect(w.locator(".done")).to_have_text("Thank you: we will also reply to vera@example.com.")
        expect(w.locator(".status")).to_have_text(re.compile(r"queue|Waiting"))
        conversation = Conversation.objects.select_related("contact").get(inbox=bot_inbox)
        assert conversation.offline and conversation.owner == "human" and conversation.status == "waiting"
        assert conversation.contact.email == "vera@example.com"
    finally:
        context.close()
