"""Small, visible details of the widget and the pages, in Chromium: the pre-chat form's button keeps
its height, a refused file's bubble stays where it was sent, the survey's faces are drawn (no emoji
font needed), and every page names its icon."""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import expect

from chat.choices import CsatScale
from chat.models import Conversation
from chat.tasks import rating_link_token
from tests.browser.agent_socket import AgentSocket
from tests.browser.test_widget import SHOP, open_widget, say, widget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMOJI = r"[\U0001F300-\U0001FAFF\u2600-\u27BF]"


@pytest.fixture
def host_page(host_site, server):
    """A customer's page on another origin that embeds the widget of an inbox; returns its URL."""
    return lambda inbox: host_site(
        SHOP.format(before="", src=f"{server.url}/static/widget/loader.js", key=inbox.public_key)
    )


def test_the_prechat_forms_button_keeps_its_height_when_the_form_scrolls(
    browser, server, make_inbox, make_console_agent, host_page, host_site
):
    inbox = make_inbox(host_site.origin)
    alice = make_console_agent(inbox)
    inbox.prechat_fields = [
        {"key": "name", "label": "Name", "required": True},
        {"key": "email", "label": "Email", "type": "email", "required": True},
        {"key": "phone", "label": "Phone", "type": "tel"},
        {"key": "plan", "label": "Plan", "type": "select", "options": ["Free", "Pro"]},
        {"key": "order", "label": "Order number"},
    ]
    inbox.save()
    agent = AgentSocket(server, alice.user)  # an agent online: the pre-chat form, not the offline one
    context = browser.new_context(viewport={"width": 1000, "height": 640})
    page = context.new_page()
    try:
        page.goto(host_page(inbox))
        open_widget(page)
        form = widget(page).locator("form.card:not([hidden])")
        expect(form).to_contain_text("Before we start")
        assert form.evaluate("f => f.scrollHeight > f.clientHeight"), "the form should scroll in this viewport"
        button = widget(page).get_by_role("button", name="Start the chat")
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box and box["height"] >= 38, box
    finally:
        agent.close()
        context.close()


def test_a_refused_file_stays_where_it_was_sent(browser, server, make_inbox, make_console_agent, host_page, host_site):
    inbox = make_inbox(host_site.origin)
    alice = make_console_agent(inbox)
    agent = AgentSocket(server, alice.user)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(host_page(inbox))
        open_widget(page)
        say(page, "The label is torn")
        conversation = Conversation.objects.get()
        agent.request({"type": "conversation.claim", "conversation": str(conversation.public_id)})
        widget(page).locator("input[type=file]").set_input_files(
            {"name": "label.png", "mimeType": "image/png", "buffer": b"<html>not an image</html>"}
        )
        expect(widget(page).locator("li.m.failed")).to_contain_text("label.png")
        agent.say(conversation, "Could you send a photo instead?")
        say(page, "One moment")
        log = widget(page).locator(".log > li")
        expect(log.last).to_contain_text("One moment")
        texts = [t.strip() for t in log.all_inner_texts()]
        failed = next(i for i, t in enumerate(texts) if "label.png" in t)
        answered = next(i for i, t in enumerate(texts) if "Could you send a photo instead?" in t)
        assert failed < answered < len(texts) - 1, texts  # newer messages come below it, not above
    finally:
        agent.close()
        context.close()


@pytest.mark.parametrize(("scale", "count"), [(CsatScale.EMOJI, 5), (CsatScale.THUMBS, 2)])
def test_the_survey_faces_are_drawn_without_an_emoji_font(
    browser, server, make_inbox, make_console_agent, host_page, host_site, scale, count
):
    inbox = make_inbox(host_site.origin)
    inbox.csat_scale = scale
    inbox.save()
    alice = make_console_agent(inbox)
    agent = AgentSocket(server, alice.user)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(host_page(inbox))
        open_widget(page)
        say(page, "Thanks for the help")
        conversation = Conversation.objects.get()
        agent.request({"type": "conversation.claim", "conversation": str(conversation.public_id)})
        agent.request({"type": "conversation.resolve", "conversation": str(conversation.public_id)})
        buttons = widget(page).locator(".rate .stars button")
        expect(buttons).to_have_count(count)
        for i in range(count):
            button = buttons.nth(i)
            assert button.inner_text().strip() == ""  # no character that needs a font
            box = button.locator("svg path").bounding_box()
            assert box and box["width"] > 15 and box["height"] > 15, box
        expect(buttons.first).to_have_attribute("aria-label", "1 out of 5" if count == 5 else "Good")
        buttons.first.click()
        expect(widget(page).locator(".rate")).to_have_text("Thank you for your rating!")
    finally:
        agent.close()
        context.close()

    # The e-mailed survey page draws the same faces.
    page = browser.new_page()
    try:
        page.goto(f"{server.url}/rate/{rating_link_token(Conversation.objects.get())}/")
        faces = page.locator(".scores svg path")
        expect(faces).to_have_count(count)
        assert [t.strip() for t in page.locator(".scores label").all_inner_texts()] == [""] * count
    finally:
        page.close()


def test_every_page_names_the_helpdesks_icon(browser, server):
    page = browser.new_page()
    try:
        page.goto(f"{server.url}/accounts/login/")
        href = page.locator("link[rel=icon]").get_attribute("href")
        assert href and href.endswith(".svg"), href
        with urllib.request.urlopen(server.url + href) as response:
            assert response.status == 200 and response.headers["Content-Type"].startswith("image/svg+xml")
    finally:
        page.close()
