"""The embeddable widget in a real Chromium, on a host page of another origin, against a real daphne
process. The agent side speaks the agent socket directly (tests/browser/agent_socket.py), so these
tests follow the widget and not the console's page."""

# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
from __future__ import annotations

import hashlib
import hmac
import io
import re
import time

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from chat import services
from chat.choices import EventType
from chat.models import Attachment, Contact, Conversation, ConversationEvent, Message, SatisfactionRating
from tests.browser.agent_socket import AgentSocket, agent_get

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOP = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Northwind shop</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  * {{ font-family: "Comic Sans MS", cursive !important; color: rgb(255, 0, 0) !important; }}
  button {{ background: rgb(0, 255, 0) !important; border-radius: 0 !important; }}
  li, ol, section, textarea, form, header {{ display: block !important; }}
</style></head>
<body>
  <h1>Shop on another origin</h1>
  <button class="send launcher x" type="button">A host button</button>
  <script>{before}</script>
  <script async src="{src}" data-inbox="{key}"></script>
</body></html>
"""


def png(width: int = 30, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 160, 90)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch):
    """Uploads go to a directory of this test, for the server process (environment) and this one."""
    root = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def shop(host_site, server):
    """Serve the host page on the other origin; ``before`` is script the site runs before the widget."""

    def make(inbox, before: str = "", path: str = "/shop.html") -> str:
        html = SHOP.format(before=before, src=f"{server.url}/static/widget/loader.js", key=inbox.public_key)
        return host_site(html, path)

    return make


def widget(page: Page):
    return page.locator("[data-helpdesk-widget] .w")


def open_widget(page: Page, name: str = "Open chat") -> None:
    page.get_by_role("button", name=name).click()
    expect(widget(page).locator(".panel")).to_be_visible()


def say(page: Page, text: str) -> None:
    box = page.get_by_role("textbox", name="Your message")
    box.fill(text)
    box.press("Enter")
    expect(widget(page).locator("li.m.me:not(.pending) p", has_text=text)).to_have_count(1)


def wait_for(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the condition did not come true in time")


def test_a_full_chat_on_another_origin(browser, server, make_inbox, make_console_agent, shop, host_site, artifacts):
    inbox = make_inbox(host_site.origin)
    alice = make_console_agent(inbox)
    agent = AgentSocket(server, alice.user)
    context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(shop(inbox))
        launcher = page.get_by_role("button", name="Open chat")
        expect(launcher).to_be_visible()
        # Isolation both ways: the host's !important rules do not reach in, the widget's do not leak out.
        assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(45, 85, 230)"
        host_button = page.locator("body > button.send")
        assert host_button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(0, 255, 0)"
        assert host_button.evaluate("b => getComputedStyle(b).position") == "static"
        open_widget(page)
        expect(page.get_by_role("textbox", name="Your message")).to_be_focused()
        assert "Comic" not in widget(page).locator("h2").evaluate("h => getComputedStyle(h).fontFamily")
        expect(widget(page).locator(".log")).to_contain_text(inbox.greeting)

        say(page, "Hello, is the grinder in stock?")
        expect(widget(page).locator(".status")).to_have_text("You are number 1 of 1 in the queue.")
        conversation = Conversation.objects.get()
        assert conversation.context["url"].startswith(host_site.origin)
        assert conversation.context["title"] == "Northwind shop" and conversation.context["language"] == "en-GB"

        # The visitor's typing reaches the agent.
        page.get_by_role("textbox", name="Your message").press_sequentially("One more", delay=20)
        typing = agent.recv_until("typing", timeout=5)
        assert typing["sender"]["kind"] == "contact" and typing["is_typing"] is True

        # The agent joins: name and avatar, typing, a reply, and the read mark.
        agent.request({"type": "conversation.claim", "conversation": str(conversation.public_id)})
        expect(widget(page).locator(".status")).to_have_text("You are chatting with Alice Agent.")
        expect(widget(page).locator(".av")).to_have_text("AA")
        expect(widget(page).locator("li.sys")).to_contain_text("Alice Agent joined the conversation.")
        agent.send({"type": "typing", "conversation": str(conversation.public_id), "is_typing": True})
        expect(widget(page).locator(".typing")).to_have_text("Alice Agent is typing…")
        agent.say(conversation, "Yes, 12 left. <b>Shall I reserve one?</b>")
        reply = widget(page).locator("li.m:not(.me):not(.sys)", has_text="Shall I reserve one?")
        expect(reply.locator("p")).to_have_text("Yes, 12 left. <b>Shall I reserve one?</b>")  # text, never HTML
        expect(reply.locator(".who")).to_have_text("Alice Agent")
        expect(widget(page).locator(".sr[aria-live]")).to_have_text(
            "Alice Agent: Yes, 12 left. <b>Shall I reserve one?</b>"
        )
        mine = widget(page).locator("li.m.me").first
        expect(mine.locator(".meta")).to_have_text("Delivered")
        agent.request({"type": "read", "conversation": str(conversation.public_id), "seq": 99})
        expect(mine.locator(".meta")).to_have_text("Seen")

        # The page context follows the visitor around the site.
        page.evaluate("history.pushState({}, '', '/checkout.html'); document.title = 'Checkout'")
        wait_for(lambda: Conversation.objects.get().context.get("url", "").endswith("/checkout.html"))
        assert ConversationEvent.objects.filter(type=EventType.CONTEXT_UPDATED).exists()

        # Transfer and resolution show as system events; then the rating with a comment.
        bob = make_console_agent(inbox, "bob", "Bob")
        agent.request(
            {"type": "conversation.transfer", "conversation": str(conversation.public_id), "agent": bob.user.pk}
        )
        expect(widget(page).locator("li.sys", has_text="Transferred to Bob Agent.")).to_have_count(1)
        expect(widget(page).locator(".status")).to_have_text("You are chatting with Bob Agent.")
        agent.request({"type": "conversation.resolve", "conversation": str(conversation.public_id)})
        expect(widget(page).locator("li.sys", has_text="The conversation was resolved.")).to_have_count(1)
        expect(widget(page).locator(".rate")).to_contain_text(inbox.csat_question)
        page.screenshot(path=artifacts / "widget-rating-prompt.png")
        page.get_by_role("button", name="5 out of 5").click()
        expect(widget(page).locator(".rate")).to_have_text("Thank you for your rating!")
        page.get_by_role("textbox", name="Add a comment (optional)").fill("Quick and kind")
        page.get_by_role("button", name="Send comment").click()
        expect(widget(page).locator(".tools .thanks")).to_be_visible()
        expect(widget(page).locator(".tools .thanks")).to_have_text("Thank you for your comment!")
        rating = SatisfactionRating.objects.get()
        assert (rating.score, rating.comment) == (5, "Quick and kind")

        # The transcript: a download and an email.
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the transcript").click()
        assert download.value.suggested_filename == f"conversation-{conversation.number}.txt"
        text = open(download.value.path(), encoding="utf-8").read()
        assert "Hello, is the grinder in stock?" in text and "Shall I reserve one?" in text
        page.get_by_role("button", name="Email me this transcript").click()
        page.get_by_role("textbox", name="Your email").fill("vera@example.com")
        page.get_by_role("textbox", name="Your email").press("Enter")
        expect(widget(page).locator(".done")).to_have_text("The transcript is on its way to vera@example.com.")
        assert ConversationEvent.objects.filter(type=EventType.TRANSCRIPT_EMAILED).count() == 1
        page.screenshot(path=artifacts / "widget-after-chat.png")
    finally:
        agent.close()
        context.close()


def test_an_origin_not_allowed_is_refused(browser, server, make_inbox, shop, host_site):
    inbox = make_inbox(host_site.origin)  # allows http://127.0.0.1:PORT, not http://localhost:PORT
    url = shop(inbox).replace("127.0.0.1", "localhost")
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(url)
        open_widget(page)
        expect(widget(page).locator(".status")).to_have_text("Cannot reach the chat right now. Retrying…")
    finally:
        context.close()
    assert not Contact.objects.exists()


def test_a_killed_socket_loses_nothing(browser, server, make_inbox, make_console_agent, shop, host_site):
    inbox = make_inbox(host_site.origin)
    alice = make_console_agent(inbox)
    agent = AgentSocket(server, alice.user)
    context = browser.new_context()
    page = context.new_page()
    down = {"now": False, "sockets": []}

    def route(ws) -> None:
        if down["now"]:
            ws.close()  # the network is down: every new socket fails at once
            return
        ws.connect_to_server()
        down["sockets"].append(ws)

    page.route_web_socket(re.compile(r".*/ws/widget/.*"), route)
    try:
        page.goto(shop(inbox))
        open_widget(page)
        say(page, "Before the outage")
        conversation = Conversation.objects.get()
        agent.request({"type": "conversation.claim", "conversation": str(conversation.public_id)})
        expect(widget(page).locator(".status")).to_have_text("You are chatting with Alice Agent.")

        down["now"] = True
        for ws in down["sockets"]:
            ws.close()
        expect(widget(page).locator(".status")).to_contain_text("Reconnecting")
        box = page.get_by_role("textbox", name="Your message")
        for text in ("Typed offline 1", "Typed offline 2"):
            box.fill(text)
            box.press("Enter")
        expect(widget(page).locator("li.m.me.pending")).to_have_count(2)
        agent.say(conversation, "Sent while you were away")

        down["now"] = False
        expect(widget(page).locator("li.m.me:not(.pending)")).to_have_count(3, timeout=30_000)
        expect(widget(page).locator(".log")).to_contain_text("Sent while you were away")
        texts = widget(page).locator("li.m:not(.sys) p").all_inner_texts()
        assert texts.index("Typed offline 1") < texts.index("Typed offline 2")
    finally:
        agent.close()
        context.close()
    stored = list(Message.objects.filter(sender_kind="contact").order_by("seq").values_list("text", flat=True))
    assert stored == ["Before the outage", "Typed offline 1", "Typed offline 2"]  # each once, in order


def test_reload_keeps_the_chat_and_past_conversations_reopen(
    browser, server, make_inbox, make_console_agent, shop, host_site
):
    inbox = make_inbox(host_site.origin)
    alice = make_console_agent(inbox)
    agent = AgentSocket(server, alice.user)
    context = browser.new_context()
    page = context.new_page()
    second = None
    try:
        page.goto(shop(inbox))
        open_widget(page)
        say(page, "My first question")
        first = Conversation.objects.get()
        agent.request({"type": "conversation.claim", "conversation": str(first.public_id)})
        agent.say(first, "First answer")
        expect(widget(page).locator(".log")).to_contain_text("First answer")

        page.reload()
        open_widget(page)
        expect(widget(page).locator(".log")).to_contain_text("First answer")
        expect(widget(page).locator("li.m.me")).to_have_count(1)
        # Another tab of the same visitor follows the chat live.
        second = context.new_page()
        second.goto(page.url)
        open_widget(second)
        agent.say(first, "Seen in both tabs")
        expect(widget(page).locator(".log")).to_contain_text("Seen in both tabs")
        expect(widget(second).locator(".log")).to_contain_text("Seen in both tabs")
        say(second, "Written in the second tab")
        expect(widget(page).locator(".log")).to_contain_text("Written in the second tab")

        agent.request({"type": "conversation.resolve", "conversation": str(first.public_id)})
        expect(widget(page).locator(".rate")).to_be_visible()
        say(page, "A new question")
        expect(widget(page).locator("li.m")).to_have_count(1)
        assert Conversation.objects.count() == 2

        page.get_by_role("button", name="Past conversations").click()
        items = widget(page).locator(".hist li button")
        expect(items).to_have_count(2)
        expect(items.nth(1)).to_contain_text(f"#{first.number} · resolved")
        items.nth(1).click()
        expect(widget(page).locator(".log")).to_contain_text("First answer")
        say(page, "Back to the first one")
        wait_for(lambda: Conversation.objects.get(pk=first.pk).status != "resolved")
        assert Message.objects.filter(conversation=first, text="Back to the first one").count() == 1
    finally:
        agent.close()
        if second is not None:
            second.close()
        context.close()


def test_attachments_round_trip_and_a_bad_file_is_refused(
    browser, server, make_inbox, make_console_agent, shop, host_site, artifacts, tmp_path
):
    inbox = make_inbox(host_site.origin)
    alice = make_console_agent(inbox)
    agent = AgentSocket(server, alice.user)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(shop(inbox))
        open_widget(page)
        say(page, "Here is a photo of the damage")
        conversation = Conversation.objects.get()
        agent.request({"type": "conversation.claim", "conversation": str(conversation.public_id)})
        expect(widget(page).locator(".status")).to_have_text("You are chatting with Alice Agent.")

        picture = png()
        widget(page).locator("input[type=file]").set_input_files(
            {"name": "damage.png", "mimeType": "image/png", "buffer": picture}
        )
        preview = widget(page).locator("li.m.me:not(.pending) img[alt='damage.png']")
        expect(preview).to_have_count(1)
        wait_for(lambda: preview.evaluate("img => img.complete && img.naturalWidth") == 30)
        seen = agent.recv_until("message.new", lambda f: f["message"]["attachments"], timeout=10)
        file = seen["message"]["attachments"][0]
        assert (file["name"], file["content_type"], file["width"]) == ("damage.png", "image/png", 30)
        download = agent_get(server, alice.user, f"/api/attachments/{file['id']}/")
        assert download.status == 200 and download.read() == picture
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["X-Content-Type-Options"] == "nosniff"

        # The agent sends a file back (uploaded over REST, sent by the service the agent socket uses);
        # after a reload the visitor's widget shows it from the history, and downloads it.
        reply = agent.upload(conversation, "receipt.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF\n")
        services.message_send(
            conversation=Conversation.objects.select_related("contact").get(pk=conversation.pk),
            sender=alice.user,
            text="Your receipt",
            client_id="a-receipt",
            attachments=[reply["id"]],
        )
        page.reload()
        open_widget(page)
        button = widget(page).get_by_role("button", name="File receipt.pdf (1 KB)")
        expect(button).to_be_visible()
        with page.expect_download() as got:
            button.click()
        assert got.value.suggested_filename == "receipt.pdf"
        assert open(got.value.path(), "rb").read().startswith(b"%PDF-1.4")

        # A page disguised as an image is refused with the server's clear message.
        widget(page).locator("input[type=file]").set_input_files(
            {"name": "cute-cat.png", "mimeType": "image/png", "buffer": b"<html><script>alert(1)</script></html>"}
        )
        failed = widget(page).locator("li.m.failed")
        expect(failed).to_contain_text("cute-cat.png")
        expect(failed.locator(".meta")).to_contain_text("This type of file is not accepted")
        page.screenshot(path=artifacts / "widget-attachments.png")
    finally:
        agent.close()
        context.close()
    assert Attachment.objects.count() == 2


def test_chinese_ui_chosen_from_the_browser_and_overridable(
    browser, server, make_inbox, make_console_agent, shop, host_site, artifacts
):
    inbox = make_inbox(host_site.origin)
    alice = make_console_agent(inbox)
    agent = AgentSocket(server, alice.user)
    context = browser.new_context(viewport={"width": 1000, "height": 760}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(shop(inbox))
        open_widget(page, "打开聊天")
        expect(widget(page).locator("h2")).to_have_text("在线咨询")
        expect(widget(page).locator(".log")).to_contain_text(
            "您好！有什么可以帮您？"
        )  # the default greeting, translated
        box = page.get_by_role("textbox", name="您的消息")
        box.fill("你好，我的订单到哪里了？")
        box.press("Enter")
        expect(widget(page).locator("li.m.me:not(.pending)")).to_have_count(1)
        expect(widget(page).locator(".status")).to_have_text("您在队列中排第 1 位，共 1 位。")
        conversation = Conversation.objects.get()
        agent.request({"type": "conversation.claim", "conversation": str(conversation.public_id)})
        expect(widget(page).locator("li.sys")).to_have_text("Alice Agent 加入了会话。")
        agent.say(conversation, "您好，订单今天发货。")
        expect(widget(page).locator(".log")).to_contain_text("您好，订单今天发货。")
        expect(widget(page).locator(".status")).to_have_text("Alice Agent 正在为您服务。")
        page.screenshot(path=artifacts / "widget-zh-Hans.png")

        page.evaluate("window.Helpdesk.setLocale('en')")
        expect(widget(page).locator("h2")).to_have_text("Chat with us")
        expect(widget(page).locator("li.sys")).to_have_text("Alice Agent joined the conversation.")
        expect(page.get_by_role("textbox", name="Your message")).to_be_visible()
        page.screenshot(path=artifacts / "widget-en.png")
        # The choice is kept: the next page comes up in English although the browser asks for Chinese.
        page.reload()
        expect(page.get_by_role("button", name="Open chat")).to_be_visible()
        page.get_by_role("button", name="中文").count()  # the switch is inside the closed panel
        open_widget(page)
        widget(page).get_by_role("button", name="中文").click()
        expect(widget(page).locator("h2")).to_have_text("在线咨询")
    finally:
        agent.close()
        context.close()


def test_identity_and_attributes_from_the_javascript_api(
    browser, server, make_inbox, make_console_agent, shop, host_site
):
    inbox = make_inbox(host_site.origin)
    make_console_agent(inbox)
    from tests.browser.conftest import console_open

    console_open(type("A", (), {"username": "alice", "user": inbox.agents.get()})())
    wrong = "0" * 64
    right = hmac.new(inbox.identity_secret.encode(), b"cust-42", hashlib.sha256).hexdigest()
    events = "window.seen = []; ['open', 'close', 'message'].forEach(n => Helpdesk.on(n, () => seen.push(n)));"
    before = (
        "window.Helpdesk = {q: []};"
        "['open','close','setUser','setAttributes','setLocale','on']"
        ".forEach(m => Helpdesk[m] = (...a) => Helpdesk.q.push([m, a]));"
        f"Helpdesk.setUser({{id: 'cust-42', name: 'Eve Impostor', email: 'eve@example.com', hash: '{wrong}'}});"
        "Helpdesk.setAttributes({plan: 'gold', seats: 3});"
    )
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(shop(inbox, before=before))
        expect(page.get_by_role("button", name="Open chat")).to_be_visible()
        page.evaluate(events)
        page.evaluate("Helpdesk.open()")
        say(page, "Who am I?")
        contact = Contact.objects.get()
        wait_for(lambda: Contact.objects.get().attributes == {"plan": "gold", "seats": 3})
        contact.refresh_from_db()
        assert (contact.external_id, contact.name, contact.email) == ("", "", "")  # the wrong hash is ignored
        assert not ConversationEvent.objects.filter(type=EventType.IDENTIFIED).exists()

        page.evaluate(
            f"Helpdesk.setUser({{id: 'cust-42', name: 'Eve Real', email: 'eve@example.com', hash: '{right}'}})"
        )
        wait_for(lambda: Contact.objects.get().external_id == "cust-42")
        contact.refresh_from_db()
        assert (contact.name, contact.email) == ("Eve Real", "eve@example.com")
        page.evaluate("Helpdesk.close()")
        assert page.evaluate("seen") == ["open", "message", "close"]
    finally:
        context.close()


def test_prechat_form_then_offline_form(browser, server, make_inbox, make_console_agent, shop, host_site, artifacts):
    from agents.models import Team

    inbox = make_inbox(host_site.origin)
    alice = make_console_agent(inbox)
    inbox.prechat_fields = [
        {"key": "name", "label": "Name", "required": True},
        {"key": "email", "label": "Email", "type": "email", "required": True},
        {"key": "order", "label": "Order number"},
    ]
    inbox.save()
    billing = Team.objects.create(name="Billing")
    inbox.teams.add(billing)
    agent = AgentSocket(server, alice.user)  # online: the pre-chat form, not the offline one
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(shop(inbox))
        open_widget(page)
        form = widget(page).locator("form.card:not([hidden])")
        expect(form).to_contain_text("Before we start")
        expect(page.get_by_role("textbox", name="Your name *")).to_be_focused()
        page.get_by_role("textbox", name="Your message *").fill("Invoice question")
        page.get_by_role("button", name="Start the chat").click()
        expect(widget(page).locator(".notice")).to_have_text("Your name is required.")
        page.get_by_role("textbox", name="Your name *").fill("Kim")
        page.get_by_role("textbox", name="Your email *").fill("kim@example.com")
        page.get_by_role("textbox", name="Order number (optional)").fill("A-77")
        page.get_by_role("combobox", name="Topic (optional)").select_option(label="Billing")
        page.get_by_role("button", name="Start the chat").click()
        expect(widget(page).locator("li.m.me:not(.pending) p", has_text="Invoice question")).to_have_count(1)
        conversation = Conversation.objects.select_related("contact").get()
        assert conversation.team_id == billing.pk
        assert (conversation.contact.name, conversation.contact.email) == ("Kim", "kim@example.com")
        assert conversation.contact.attributes == {"order": "A-77"}
    finally:
        agent.close()
        context.close()

    # Nobody online now: a new visitor gets the away message and the offline form.
    wait_for(lambda: not alice.user.agent.connections.exists())
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(shop(inbox))
        open_widget(page)
        expect(widget(page).locator("form.card:not([hidden])")).to_contain_text(inbox.away_message)
        page.get_by_role("textbox", name="Your email *").fill("not-an-email")
        page.get_by_role("textbox", name="Your question *").fill("Do you ship to Norway?")
        page.get_by_role("button", name="Send").click()
        expect(widget(page).locator(".notice")).to_have_text("Enter a valid email address.")
        page.get_by_role("textbox", name="Your email *").fill("ola@example.no")
        page.screenshot(path=artifacts / "widget-offline-form.png")
        page.get_by_role("button", name="Send").click()
        expect(widget(page).locator(".done")).to_have_text("Thank you! We will answer by email at ola@example.no.")
        expect(widget(page).locator("li.m.me:not(.pending) p", has_text="Do you ship to Norway?")).to_have_count(1)
    finally:
        context.close()
    offline = Conversation.objects.select_related("contact").get(offline=True)
    assert offline.contact.email == "ola@example.no" and offline.status == "waiting"


CONTRAST = """
(root) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (node) => {
    for (; node; node = node.parentElement || (node.getRootNode() && node.getRootNode().host)) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const out = {};
  for (const [name, selector] of Object.entries({
    launcher: ".launcher", title: "h2", status: ".status", greeting: "li.m:not(.me) p", who: "li.m .who",
    mine: "li.m.me:not(.pending) p", meta: "li.m.me .meta", system: "li.sys p", agent: "li.m:not(.me):not(.sys) p",
    send: ".send", tools: ".tools .link",
  })) {
    const node = root.querySelector(selector);
    if (!node) { out[name] = null; continue; }
    const a = lum(rgb(getComputedStyle(node).color)), b = lum(background(node));
    out[name] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }
  return out;
}
"""


def test_text_meets_wcag_aa_contrast(browser, server, make_inbox, make_console_agent, shop, host_site):
    inbox = make_inbox(host_site.origin)
    alice = make_console_agent(inbox)
    agent = AgentSocket(server, alice.user)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(shop(inbox))
        open_widget(page)
        say(page, "Checking the colours")
        conversation = Conversation.objects.get()
        agent.request({"type": "conversation.claim", "conversation": str(conversation.public_id)})
        agent.say(conversation, "They look fine")
        expect(widget(page).locator(".log")).to_contain_text("They look fine")
        ratios = page.locator("[data-helpdesk-widget]").evaluate(f"host => ({CONTRAST})(host.shadowRoot)")
    finally:
        agent.close()
        context.close()
    assert all(ratios.values()), ratios  # every element was found
    assert {name: ratio for name, ratio in ratios.items() if ratio < 4.5} == {}, ratios


def test_small_screens_get_a_full_screen_panel(browser, server, make_inbox, shop, host_site):
    inbox = make_inbox(host_site.origin)
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(shop(inbox))
        open_widget(page)
        box = widget(page).locator(".panel").bounding_box()
        assert box == {"x": 0, "y": 0, "width": 375, "height": 667}
        # The close button is inside the full-screen panel, and closing gives the focus back.
        widget(page).locator("header").get_by_role("button", name="Close chat").click()
        expect(widget(page).locator(".panel")).to_be_hidden()
        expect(page.get_by_role("button", name="Open chat")).to_be_focused()
    finally:
        context.close()
