"""The widget and the agent console in a real Chromium against a real daphne process.

A visitor on the demo shop and an agent in the console talk to each other through the real
sockets; everything a person would see is checked on the page (shadow DOM included), and the
database is checked for what must (and must not) have been stored.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from agents.models import AgentProfile, Team
from chat.models import Conversation, Message, SatisfactionRating
from tests.browser.conftest import console_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS = "<img src=x onerror=alert(1)>"


# --- helpers: what a person does ------------------------------------------------------------


def sign_in_to_console(page: Page, server, agent) -> None:
    page.goto(f"{server.url}/accounts/login/?next=/console/")
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill(agent.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/console/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")


def widget(page: Page):
    """The widget's shadow root content (Playwright's CSS engine pierces open shadow roots)."""
    return page.locator("[data-helpdesk-widget] .w")


def open_widget(page: Page) -> None:
    page.get_by_role("button", name="Open chat").click()
    expect(widget(page).locator(".panel")).to_be_visible()
    expect(page.get_by_role("textbox", name="Your message")).to_be_focused()


def visitor_says(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Your message")
    box.fill(text)
    box.press("Enter")
    # Confirmed by the server: shown as the visitor's own bubble, no longer pending.
    expect(widget(page).locator("li.m.me:not(.pending) p", has_text=text)).to_have_count(1)


def agent_says(page: Page, text: str, *, private: bool = False) -> None:
    page.locator("#private").set_checked(private)
    page.locator("#composer-text").fill(text)
    page.locator("#composer-text").press("Enter")
    kind = "note" if private else "agent"
    expect(page.locator(f"#transcript li.msg.{kind}:not(.pending) .msg-text", has_text=text)).to_have_count(1)


def collect_dialogs(page: Page) -> list[str]:
    seen: list[str] = []

    def on_dialog(dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


# --- the conversation end to end -------------------------------------------------------------


def test_visitor_and_agent_chat_live(browser, server, make_inbox, make_console_agent, artifacts):
    inbox = make_inbox(server.url)
    alice = make_console_agent(inbox)

    console_context = browser.new_context(viewport={"width": 1280, "height": 800})
    visitor_context = browser.new_context(viewport={"width": 1200, "height": 800})
    console = console_context.new_page()
    shop = visitor_context.new_page()
    try:
        sign_in_to_console(console, server, alice)
        expect(console.locator("#queue-empty")).to_be_visible()

        shop.goto(f"{server.url}/demo/?inbox={inbox.public_key}")
        expect(shop.get_by_role("heading", name="Fresh roasted, shipped today")).to_be_visible()
        expect(shop.get_by_test_id("origin-note")).to_have_count(0)
        open_widget(shop)
        expect(widget(shop).locator(".log")).to_contain_text(inbox.greeting)
        visitor_says(shop, "Hello, where is my order #A-77?")
        expect(widget(shop).locator(".status")).to_contain_text("number 1 of 1 in the queue")

        # The agent sees it in the queue, live, and claims it.
        queued = console.locator("#queue li")
        expect(queued).to_have_count(1)
        expect(queued).to_contain_text("Hello, where is my order #A-77?")
        queued.get_by_role("button").click()
        expect(console.locator("#transcript")).to_contain_text("Hello, where is my order #A-77?")
        expect(console.locator("#conv-meta")).to_contain_text("Waiting in queue")
        console.locator("#claim").click()
        expect(console.locator("#mine li")).to_have_count(1)
        expect(console.locator("#queue li")).to_have_count(0)
        expect(console.locator("#conv-meta")).to_contain_text("assigned to Alice Agent")
        expect(console.locator("#transcript")).to_contain_text("Alice Agent joined the conversation.")

        # The visitor sees who joined, then the reply.
        expect(widget(shop).locator(".status")).to_have_text("You are chatting with Alice Agent.")
        expect(widget(shop).locator("li.sys")).to_contain_text("Alice Agent joined the conversation.")
        console.locator("#composer-text").fill("It left our warehouse this morning.")
        expect(widget(shop).locator(".typing")).to_have_text("Alice Agent is typing…")
        console.locator("#composer-text").press("Enter")
        expect(console.locator("#transcript li.msg.agent:not(.pending)")).to_contain_text("left our warehouse")
        reply = widget(shop).locator("li.m:not(.me):not(.sys)", has_text="It left our warehouse this morning.")
        expect(reply).to_have_count(1)
        expect(reply.locator(".who")).to_have_text("Alice Agent")

        # The second message reaches the agent.
        visitor_says(shop, "Great, thank you! Can I change the address?")
        expect(console.locator("#transcript")).to_contain_text("Can I change the address?")

        # A private note shows in the console, marked as such, and never in the widget.
        agent_says(console, "Internal: customer is a VIP, check the courier first", private=True)
        note = console.locator("#transcript li.msg.note")
        expect(note.locator(".tag")).to_have_text("Private note")
        agent_says(console, "Yes, I can change it for you.")
        expect(widget(shop).locator(".log")).to_contain_text("Yes, I can change it for you.")
        expect(widget(shop).locator(".log")).not_to_contain_text("VIP")

        shop.screenshot(path=artifacts / "widget-chat.png")
        console.screenshot(path=artifacts / "console-chat.png")

        # After a reload the widget shows the same transcript (cache + resume), still without the note.
        shop.reload()
        open_widget(shop)
        expect(widget(shop).locator(".log")).to_contain_text("Yes, I can change it for you.")
        expect(widget(shop).locator("li.m.me")).to_have_count(2)
        expect(widget(shop).locator(".log")).not_to_contain_text("VIP")

        # Escape closes the panel and gives focus back to the launcher.
        shop.keyboard.press("Escape")
        expect(widget(shop).locator(".panel")).to_be_hidden()
        expect(shop.get_by_role("button", name="Open chat")).to_be_focused()

        # An agent's message while the panel is closed shows as unread on the launcher.
        agent_says(console, "Done: the new address is saved.")
        expect(shop.get_by_role("button", name="Open chat (1 unread)")).to_be_visible()
        expect(widget(shop).locator(".badge")).to_have_text("1")
        shop.screenshot(path=artifacts / "widget-unread.png")
        open_widget(shop)
        expect(widget(shop).locator(".badge")).to_be_hidden()

        # Resolving leaves the agent's list and asks the visitor for a rating.
        console.locator("#resolve").click()
        expect(console.locator("#mine li")).to_have_count(0)
        expect(console.locator("#reopen")).to_be_visible()
        expect(widget(shop).locator(".rate")).to_contain_text("How would you rate this conversation?")
        shop.screenshot(path=artifacts / "widget-rating.png")
        shop.get_by_role("button", name="5 out of 5").click()
        expect(widget(shop).locator(".rate")).to_have_text("Thank you for your rating!")
        console.screenshot(path=artifacts / "console-resolved.png")

        # Writing again after the rating starts a new conversation, which waits in the queue.
        visitor_says(shop, "One more question about beans")
        expect(widget(shop).locator("li.m")).to_have_count(1)
        expect(widget(shop).locator(".rate")).to_be_hidden()
        expect(console.locator("#queue li")).to_contain_text("One more question about beans")
    finally:
        console_context.close()
        visitor_context.close()

    messages = list(Message.objects.order_by("seq").values_list("text", "is_private"))
    assert ("Internal: customer is a VIP, check the courier first", True) in messages
    assert [text for text, _ in messages].count("Hello, where is my order #A-77?") == 1
    assert SatisfactionRating.objects.get().score == 5
    assert Conversation.objects.filter(status="waiting").count() == 1


def test_markup_in_messages_is_shown_as_text_on_both_sides(browser, server, make_inbox, make_console_agent, artifacts):
    inbox = make_inbox(server.url)
    alice = make_console_agent(inbox)
    console_context = browser.new_context(viewport={"width": 1280, "height": 800})
    visitor_context = browser.new_context(viewport={"width": 1200, "height": 800})
    console = console_context.new_page()
    shop = visitor_context.new_page()
    console_dialogs, shop_dialogs = collect_dialogs(console), collect_dialogs(shop)
    try:
        sign_in_to_console(console, server, alice)
        shop.goto(f"{server.url}/demo/?inbox={inbox.public_key}")
        open_widget(shop)
        visitor_says(shop, XSS)
        expect(widget(shop).locator("li.m.me p").first).to_have_text(XSS)

        queued = console.locator("#queue li")
        expect(queued.locator(".conv-preview")).to_have_text(XSS)
        queued.get_by_role("button").click()
        expect(console.locator("#transcript .msg.contact .msg-text")).to_have_text(XSS)
        console.locator("#claim").click()
        answer = '<script>alert("agent")</script><b>bold?</b>'
        agent_says(console, answer)
        expect(widget(shop).locator("li.m:not(.me):not(.sys) p")).to_have_text(answer)

        # Nothing was parsed as markup, on either side, and no script ran.
        expect(widget(shop).locator(".log img, .log script, .log b")).to_have_count(0)
        expect(console.locator("#transcript img, #transcript script, #transcript b, #queue img")).to_have_count(0)
        shop.wait_for_timeout(300)
        assert console_dialogs == [] and shop_dialogs == []
        shop.screenshot(path=artifacts / "widget-markup-as-text.png")
        console.screenshot(path=artifacts / "console-markup-as-text.png")
    finally:
        console_context.close()
        visitor_context.close()
    assert Message.objects.filter(text=XSS).count() == 1


def test_errors_transfers_and_availability_in_the_console(browser, server, make_inbox, make_console_agent, artifacts):
    inbox = make_inbox(server.url)
    alice = make_console_agent(inbox)
    bob = make_console_agent(inbox, "bob", "Bob")
    billing = Team.objects.create(name="Billing")
    billing.members.add(bob.user)
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in range(3)]
    alice_page, bob_page, shop = (context.new_page() for context in contexts)
    try:
        sign_in_to_console(alice_page, server, alice)
        sign_in_to_console(bob_page, server, bob)
        shop.goto(f"{server.url}/demo/?inbox={inbox.public_key}")
        open_widget(shop)
        visitor_says(shop, "I need a copy of my invoice")

        # Replying before claiming: the server's error shows in the status area, the text comes back.
        alice_page.locator("#queue li").get_by_role("button").click()
        alice_page.locator("#composer-text").fill("Hello!")
        alice_page.locator("#composer-text").press("Enter")
        notice = alice_page.locator("#notice")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("Claim the conversation before replying")
        expect(alice_page.locator("#composer-text")).to_have_value("Hello!")
        alice_page.locator("#notice-close").click()
        expect(notice).to_be_hidden()

        # Alice claims and transfers to Bob with a private note; Bob is told, the visitor sees the move.
        alice_page.locator("#claim").click()
        expect(alice_page.locator("#mine li")).to_have_count(1)
        alice_page.locator("#transfer-target").select_option(label="Bob Agent (Online)")
        alice_page.locator("#transfer-note").fill("Invoice question, over to you")
        alice_page.locator("#transfer-button").click()
        expect(alice_page.locator("#mine li")).to_have_count(0)
        expect(bob_page.locator("#mine li")).to_have_count(1)
        expect(bob_page.locator("#notice")).to_contain_text("Alice Agent transferred #")
        expect(bob_page.locator("#notice")).to_contain_text("Invoice question, over to you")
        expect(widget(shop).locator("li.sys", has_text="Transferred to Bob Agent.")).to_have_count(1)
        expect(widget(shop).locator(".status")).to_have_text("You are chatting with Bob Agent.")

        bob_page.locator("#mine li").get_by_role("button").click()
        expect(bob_page.locator("#transcript li.msg.note")).to_contain_text("Invoice question, over to you")
        bob_page.screenshot(path=artifacts / "console-transferred.png")

        # Bob hands it to the Billing team: back in everyone's queue, the visitor waits again.
        bob_page.locator("#transfer-target").select_option(label="Billing team")
        bob_page.locator("#transfer-button").click()
        expect(bob_page.locator("#mine li")).to_have_count(0)
        expect(bob_page.locator("#queue li")).to_have_count(1)
        expect(alice_page.locator("#queue li")).to_have_count(1)
        expect(bob_page.locator("#conv-meta")).to_contain_text("Billing team")
        expect(widget(shop).locator(".status")).to_have_text("You are number 1 of 1 in the queue.")
        expect(widget(shop).locator(".log")).not_to_contain_text("over to you")

        # Availability is set from the console.
        alice_page.locator("#availability").select_option("away")
        deadline = time.monotonic() + 10
        while AgentProfile.objects.get(user=alice.user).availability != "away" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert AgentProfile.objects.get(user=alice.user).availability == "away"
        expect(bob_page.locator("#transfer-target option", has_text="Alice Agent (Away)")).to_have_count(1)
    finally:
        for context in contexts:
            context.close()


# --- the embed on another origin -------------------------------------------------------------

HOSTILE_SHOP = """<!doctype html>
<html><head><meta charset="utf-8"><title>Another shop</title>
<style>
  * {{ font-family: "Comic Sans MS", cursive !important; color: rgb(255, 0, 0) !important; }}
  button {{ background: rgb(0, 255, 0) !important; border-radius: 0 !important; }}
  div, p, li, ol, section, textarea {{ display: none !important; }}
</style></head>
<body>
  <h1>Another shop on another origin</h1>
  <button class="send launcher" type="button">A host button</button>
  <script async src="{src}" data-inbox="{key}"></script>
</body></html>
"""


def test_widget_embeds_on_another_origin_isolated_from_host_css(
    browser, server, make_inbox, make_console_agent, host_site, artifacts
):
    inbox = make_inbox(host_site.origin)
    console_open(make_console_agent(inbox))  # an agent online, so the widget offers a live chat
    page_url = host_site(HOSTILE_SHOP.format(src=f"{server.url}/static/widget/loader.js", key=inbox.public_key))
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    # A token the server does not know (say, from a wiped database): the widget starts afresh.
    stale = "stale-token-" + "x" * 32
    context.add_init_script(f"localStorage.setItem('helpdesk:{inbox.public_key}:token', '\"{stale}\"')")
    page = context.new_page()
    try:
        page.goto(page_url)
        launcher = page.get_by_role("button", name="Open chat")
        expect(launcher).to_be_visible()
        # The host's CSS does not reach into the widget...
        assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(45, 85, 230)"
        page.evaluate("window.Helpdesk.open()")
        panel = widget(page).locator(".panel")
        expect(panel).to_be_visible()
        expect(page.get_by_role("textbox", name="Your message")).to_be_focused()
        font = widget(page).locator("h2").evaluate("h => getComputedStyle(h).fontFamily")
        assert "Comic" not in font
        assert widget(page).locator("h2").evaluate("h => getComputedStyle(h).color") == "rgb(255, 255, 255)"
        # ...and the widget's CSS does not leak into the host page.
        host_button = page.locator("body > button.send")
        assert host_button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(0, 255, 0)"
        assert host_button.evaluate("b => getComputedStyle(b).position") == "static"

        # The socket to the helpdesk origin is accepted for this origin, and messages flow.
        visitor_says(page, "Hi from another origin")
        expect(widget(page).locator(".status")).to_contain_text("in the queue")
        token = page.evaluate(f"JSON.parse(localStorage.getItem('helpdesk:{inbox.public_key}:token'))")
        assert token and token != stale
        page.screenshot(path=artifacts / "widget-other-origin.png")
        page.evaluate("window.Helpdesk.close()")
        expect(panel).to_be_hidden()
    finally:
        context.close()
    assert Message.objects.filter(text="Hi from another origin", conversation__inbox=inbox).count() == 1


def test_demo_warns_when_its_origin_is_not_allowed(browser, server, make_inbox, artifacts):
    inbox = make_inbox("https://shop.example")
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/demo/?inbox={inbox.public_key}")
        note = page.get_by_test_id("origin-note")
        expect(note).to_be_visible()
        expect(note).to_contain_text(server.url)
        expect(note).to_contain_text("not in the allowed origins")
        open_widget(page)  # the socket is refused: the widget says so and keeps trying
        expect(widget(page).locator(".status")).to_have_text("Cannot reach the chat right now. Retrying…")
        page.screenshot(path=artifacts / "demo-origin-refused.png")
    finally:
        context.close()


# --- nothing is lost across a server restart --------------------------------------------------


def test_messages_written_while_the_server_is_down_are_delivered_once(browser, server, make_inbox, make_console_agent):
    inbox = make_inbox(server.url)
    alice = make_console_agent(inbox)
    console_context = browser.new_context()
    visitor_context = browser.new_context()
    console = console_context.new_page()
    shop = visitor_context.new_page()
    try:
        sign_in_to_console(console, server, alice)
        shop.goto(f"{server.url}/demo/?inbox={inbox.public_key}")
        open_widget(shop)
        visitor_says(shop, "First, before the outage")
        console.locator("#queue li").get_by_role("button").click()
        console.locator("#claim").click()
        expect(console.locator("#mine li")).to_have_count(1)

        server.stop()
        expect(widget(shop).locator(".status")).to_have_text(re.compile("Reconnecting"))
        expect(console.locator("#connection")).to_have_attribute("data-state", "reconnecting")
        box = shop.get_by_role("textbox", name="Your message")
        box.fill("Written while offline")
        box.press("Enter")
        expect(widget(shop).locator("li.m.me.pending")).to_contain_text("Written while offline")

        server.start()
        # The widget resends its outbox with the same client_id; the console re-syncs the gap.
        expect(widget(shop).locator("li.m.me:not(.pending) p", has_text="Written while offline")).to_have_count(
            1, timeout=30_000
        )
        expect(console.locator("#connection")).to_have_attribute("data-state", "connected", timeout=30_000)
        expect(console.locator("#transcript")).to_contain_text("Written while offline")
        agent_says(console, "Back online, got it.")
        expect(widget(shop).locator(".log")).to_contain_text("Back online, got it.")
    finally:
        console_context.close()
        visitor_context.close()
    assert Message.objects.filter(text="Written while offline").count() == 1
