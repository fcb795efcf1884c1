"""System messages in the reader's language, in Chromium: a Chinese visitor and a Chinese agent
read every system message in Chinese (an agent joining, and the two inactivity timers' messages,
which the old English-pattern translation missed), sent live by a server whose timers run."""

# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from chat.models import Conversation, Message
from tests.browser.agent_socket import AgentSocket
from tests.browser.conftest import ASYNC_UNSAFE
from tests.browser.test_widget import SHOP, open_widget, widget
from tests.servers import ServerProcess, server_env

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def host_page(host_site, server):
    """A customer's page on another origin that embeds the widget of an inbox; returns its URL."""
    return lambda inbox: host_site(
        SHOP.format(before="", src=f"{server.url}/static/widget/loader.js", key=inbox.public_key)
    )


REMINDER = "您还在吗？如果一直没有收到您的回复，本次对话将很快关闭。"
CLOSED = "由于没有收到您的回复，本次对话已关闭。您可以随时留言重新打开它。"


@pytest.fixture
def server(transactional_db) -> Iterator[ServerProcess]:
    """A server that runs its timers itself, every second (the embedded worker, in both passes)."""
    env = {k: v for k, v in server_env().items() if k != ASYNC_UNSAFE}
    env.update(HELPDESK_EMBEDDED_WORKER="true", HELPDESK_TIMER_INTERVAL="1")
    process = ServerProcess(env=env).start()
    yield process
    process.stop()


def sign_in_in_chinese(page: Page, server, agent) -> None:
    page.goto(f"{server.url}/accounts/login/?next=/console/")
    page.locator("#id_username").fill(agent.username)
    page.locator("#id_password").fill(agent.password)
    page.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{server.url}/console/")
    expect(page.locator("#connection")).to_have_text("已连接")


def test_a_chinese_visitor_and_a_chinese_agent_read_every_system_message_in_chinese(
    browser,
    server,
    make_inbox,
    make_console_agent,
    host_page,
    host_site,
    artifacts,
):
    inbox = make_inbox(host_site.origin)
    inbox.inactivity_reminder_seconds = 3
    inbox.inactivity_close_seconds = 3
    inbox.save()
    alice = make_console_agent(inbox)
    agent = AgentSocket(server, alice.user)
    visitor_context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="zh-CN")
    console_context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    try:
        console = console_context.new_page()
        sign_in_in_chinese(console, server, alice)
        visitor = visitor_context.new_page()
        visitor.goto(host_page(inbox))
        open_widget(visitor, "打开聊天")
        box = visitor.get_by_role("textbox", name="您的消息")
        box.fill("你好，我的订单到哪里了？")
        box.press("Enter")
        expect(widget(visitor).locator("li.m.me:not(.pending)")).to_have_count(1)

        conversation = Conversation.objects.get()
        agent.request({"type": "conversation.claim", "conversation": str(conversation.public_id)})
        expect(widget(visitor).locator("li.sys").first).to_have_text("Alice Agent 加入了会话。")
        console.locator("#mine li").first.click()
        transcript = console.locator("#transcript")
        expect(transcript.locator("li.msg.system").first).to_have_text("Alice Agent 加入了会话。")

        agent.say(conversation, "您好，我来查一下。")
        # The visitor stays silent: the server's timers remind, then close, each message in Chinese.
        expect(widget(visitor).locator("li.sys", has_text=REMINDER)).to_have_count(1, timeout=20_000)
        expect(transcript.locator("li.msg.system", has_text=REMINDER)).to_have_count(1)
        expect(widget(visitor).locator("li.sys", has_text=CLOSED)).to_have_count(1, timeout=20_000)
        expect(transcript.locator("li.msg.system", has_text=CLOSED)).to_have_count(1)
        visitor.screenshot(path=artifacts / "system-messages-widget-zh-Hans.png")
        console.screenshot(path=artifacts / "system-messages-console-zh-Hans.png")
        assert "joined" not in widget(visitor).locator(".log").inner_text()
        assert "Are you still there" not in transcript.inner_text()

        # Switched to English, the same messages read in English: the codes, not the text, are shown.
        visitor.evaluate("window.Helpdesk.setLocale('en')")
        expect(widget(visitor).locator("li.sys").first).to_have_text("Alice Agent joined the conversation.")
        stored = Message.objects.filter(conversation=conversation, sender_kind="system").order_by("seq")
        assert [m.code for m in stored] == ["joined", "inactivity_reminder", "inactivity_closed"]
    finally:
        agent.close()
        visitor_context.close()
        console_context.close()
