"""The agent console in a real Chromium, against a real daphne process: two agents and two visitors.

What an agent relies on all day is checked on the page: a new chat shows in every queue live and
leaves the others' queues once claimed; private notes (with an @mention) never reach the visitor;
a canned response expands with the contact's and the agent's names; tags and pending; a transfer
with a note; a message in a background chat marks it; search finds a transcript; the keyboard
shortcuts and their help. A screenshot of the console with several chats open is saved.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from agents.models import CannedResponse
from chat import services
from chat.models import Conversation, Message, Tag
from tests.browser.test_chat_in_browser import (
    agent_says,
    open_widget,
    sign_in_to_console,
    visitor_says,
    widget,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Bob's console runs as if its tab were in the background and he had allowed notifications;
# the notifications it shows are recorded instead of going to the desktop.
NOTIFICATIONS_ALLOWED_IN_A_BACKGROUND_TAB = """
window.shownNotifications = [];
Document.prototype.hasFocus = () => false;
window.Notification = class {
  constructor(title, options) { window.shownNotifications.push(options.body); }
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
};
"""


def test_two_agents_work_the_console_live(browser, server, make_inbox, make_console_agent, artifacts):
    inbox = make_inbox(server.url)
    alice = make_console_agent(inbox)
    bob = make_console_agent(inbox, "bob", "Bob")
    Tag.objects.create(name="vip", color="#b3182c")
    CannedResponse.objects.create(
        short_code="thanks",
        title="Thank you",
        text="Thanks {{contact.name}}, this is {{agent.name}}. Anything else?",
    )
    contexts = [browser.new_context(viewport={"width": 1440, "height": 900}) for _ in range(4)]
    contexts[1].add_init_script(NOTIFICATIONS_ALLOWED_IN_A_BACKGROUND_TAB)
    alice_page, bob_page, shop, shop2 = (context.new_page() for context in contexts)
    try:
        sign_in_to_console(alice_page, server, alice)
        sign_in_to_console(bob_page, server, bob)

        # A new chat appears in both agents' queues, live.
        shop.goto(f"{server.url}/demo/?inbox={inbox.public_key}")
        open_widget(shop)
        visitor_says(shop, "My espresso machine leaks water")
        for page in (alice_page, bob_page):
            expect(page.locator("#queue li")).to_have_count(1)
            expect(page.locator("#queue li")).to_contain_text("My espresso machine leaks water")
            expect(page.locator("#queue li .wait")).to_contain_text("waiting")
        expect(alice_page).to_have_title(re.compile(r"^\(1\) "))
        first = Conversation.objects.get()
        services.contact_update(contact=first.contact, name="Dana")

        # Alice claims it: it leaves Bob's queue.
        alice_page.locator("#queue li").get_by_role("button").click()
        alice_page.locator("#claim").click()
        expect(alice_page.locator("#mine li")).to_have_count(1)
        expect(bob_page.locator("#queue li")).to_have_count(0)
        expect(bob_page.locator("#queue-empty")).to_be_visible()

        # A private note with an @mention: styled as a note, Bob is told, the visitor sees nothing.
        alice_page.locator("#private").set_checked(True)
        box = alice_page.locator("#composer-text")
        box.fill("@bo")
        expect(alice_page.locator("#canned-menu")).to_contain_text("@bob")
        box.press("Tab")
        expect(box).to_have_value("@bob ")
        box.press_sequentially("this customer is a VIP")
        agent_says(alice_page, box.input_value() + ", check the warranty", private=True)
        note = alice_page.locator("#transcript li.msg.note")
        expect(note.locator(".tag")).to_have_text("Private note")
        expect(note.locator(".mention")).to_have_text("@bob")
        expect(bob_page.locator("#notice")).to_contain_text("Alice Agent mentioned you in #")

        # A canned response expands from /shortcut with the contact's and the agent's names.
        alice_page.locator("#private").set_checked(False)
        box = alice_page.locator("#composer-text")
        box.fill("/tha")
        expect(alice_page.locator("#canned-menu")).to_contain_text("/thanks")
        box.press("Enter")
        expect(box).to_have_value("Thanks Dana, this is Alice Agent. Anything else?")
        box.press("Enter")
        expect(alice_page.locator("#transcript li.msg.agent:not(.pending)")).to_contain_text("Thanks Dana")
        reply = widget(shop).locator("li.m:not(.me):not(.sys)", has_text="Thanks Dana, this is Alice Agent.")
        expect(reply).to_have_count(1)

        # Tags and pending, live in the list and the header.
        alice_page.locator("#tag-input").fill("vip")
        alice_page.locator("#tag-input").press("Enter")
        expect(alice_page.locator("#conv-tags li > span")).to_have_text(["vip"])
        expect(alice_page.locator("#mine li .chip")).to_have_text("vip")
        alice_page.locator("#pending").click()
        expect(alice_page.locator("#conv-meta")).to_contain_text("Pending on customer")
        visitor_says(shop, "It is the Model X200")
        expect(alice_page.locator("#conv-meta")).to_contain_text("Open")

        # A transfer to the other agent with a note.
        alice_page.locator("#transfer-target").select_option(label="Bob Agent (Online)")
        alice_page.locator("#transfer-note").fill("Warranty case, over to you")
        alice_page.locator("#transfer-button").click()
        expect(alice_page.locator("#mine li")).to_have_count(0)
        expect(bob_page.locator("#mine li")).to_have_count(1)
        expect(bob_page.locator("#notice")).to_contain_text("Warranty case, over to you")
        expect(widget(shop).locator(".status")).to_have_text("You are chatting with Bob Agent.")
        expect(widget(shop).locator(".log")).not_to_contain_text("warranty")
        expect(widget(shop).locator(".log")).not_to_contain_text("VIP")

        # A second chat: Bob takes it too, then works in the first one.
        shop2.goto(f"{server.url}/demo/?inbox={inbox.public_key}")
        open_widget(shop2)
        visitor_says(shop2, "Do you ship to Norway?")
        expect(bob_page.locator("#queue li")).to_have_count(1)
        expect(alice_page.locator("#queue li")).to_have_count(1)
        bob_page.locator("#queue li").get_by_role("button").click()
        bob_page.locator("#claim").click()
        expect(bob_page.locator("#mine li")).to_have_count(2)
        expect(alice_page.locator("#queue li")).to_have_count(0)
        second = Conversation.objects.exclude(pk=first.pk).get()

        # Filters narrow every list at once.
        bob_page.locator("#filters summary").click()
        bob_page.locator("#filter-tag").select_option("vip")
        expect(bob_page.locator("#mine li")).to_have_count(1)
        expect(bob_page.locator("#mine li")).to_contain_text("Dana")
        bob_page.locator("#filter-tag").select_option("")
        expect(bob_page.locator("#mine li")).to_have_count(2)
        bob_page.locator("#filters summary").click()
        bob_page.locator(f'#mine li[data-conversation="{first.public_id}"] button').click()
        expect(bob_page.locator("#conv-title")).to_contain_text(f"#{first.number}")
        expect(bob_page.locator("#transcript")).to_contain_text("Warranty case, over to you")
        expect(bob_page.locator("#contact-name")).to_have_text("Dana")
        expect(bob_page.locator("#contact-history li")).to_have_count(1)

        # A message in the background chat marks it (and the title), without switching to it.
        visitor_says(shop2, "Hello? Norway, please")
        background = bob_page.locator(f'#mine li[data-conversation="{second.public_id}"] .conv')
        expect(background).to_have_class(re.compile(r"\bunread\b"))
        expect(background.locator(".badge")).to_have_text("1")
        expect(bob_page).to_have_title(re.compile(r"^\(1\) "))
        expect(bob_page.locator("#conv-title")).to_contain_text(f"#{first.number}")
        bob_page.screenshot(path=artifacts / "console-several-chats.png")
        shown = bob_page.evaluate("window.shownNotifications")
        assert any(n.startswith("New chat in the queue: #") for n in shown), shown
        assert f"#{second.number} Visitor" in " ".join(shown) and "Hello? Norway, please" in " ".join(shown), shown
        assert any("mentioned you" in n for n in shown), shown

        # Switching is instant and clears the mark; Alt+ArrowDown/Up move between chats.
        background.click()
        expect(bob_page.locator("#transcript")).to_contain_text("Hello? Norway, please")
        expect(background.locator(".badge")).to_have_count(0)
        bob_page.locator("#mine li").first.get_by_role("button").focus()
        bob_page.keyboard.press("Alt+ArrowDown")
        expect(bob_page.locator("#conv-title")).not_to_contain_text(f"#{second.number}")
        bob_page.keyboard.press("Alt+ArrowUp")
        expect(bob_page.locator("#conv-title")).to_contain_text(f"#{second.number}")
        bob_page.keyboard.press("Alt+m")
        expect(bob_page.locator("#composer-text")).to_be_focused()
        bob_page.locator("#transcript").click()
        bob_page.keyboard.press("?")
        expect(bob_page.locator("#help")).to_be_visible()
        expect(bob_page.locator("#help")).to_contain_text("Next conversation")
        bob_page.keyboard.press("Escape")
        expect(bob_page.locator("#help")).to_be_hidden()

        # Search finds a transcript, with the match marked, and opens it.
        bob_page.locator("#search-q").fill("espresso")
        bob_page.locator("#search-q").press("Enter")
        hit = bob_page.locator("#search-results li")
        expect(hit).to_have_count(1)
        expect(hit.locator("mark")).to_have_text("espresso")
        hit.get_by_role("button").click()
        expect(bob_page.locator("#conv-title")).to_contain_text(f"#{first.number}")

        # A file sent from the console shows in the transcript as a download.
        bob_page.locator("#attach").set_input_files(
            files=[{"name": "receipt.txt", "mimeType": "text/plain", "buffer": b"Receipt 42, paid\n"}]
        )
        expect(bob_page.locator("#transcript li.msg.agent:not(.pending) a.attachment")).to_contain_text("receipt.txt")

        # Resolving with the keyboard.
        bob_page.keyboard.press("Alt+r")
        expect(bob_page.locator("#reopen")).to_be_visible()
        expect(bob_page.locator("#mine li")).to_have_count(1)
        bob_page.locator("#tab-resolved").click()
        expect(bob_page.locator("#view-list li")).to_have_count(1)
        bob_page.screenshot(path=artifacts / "console-resolved-view.png")

        # Alice switches the console to Simplified Chinese: the page and the script's words follow.
        alice_page.locator("#language").select_option("zh-hans")
        expect(alice_page.locator("nav h2").first).to_contain_text("队列")
        expect(alice_page.locator("#connection")).to_have_text("已连接")
        bob_in_chinese = "Bob Agent（在线）"  # noqa: RUF001 (Chinese punctuation)
        expect(alice_page.locator("#transfer-target option", has_text=bob_in_chinese)).to_have_count(1)
    finally:
        for context in contexts:
            context.close()
    notes = Message.objects.filter(is_private=True).order_by("seq")
    assert [n.text for n in notes] == [
        "@bob this customer is a VIP, check the warranty",
        "Warranty case, over to you",
    ]
