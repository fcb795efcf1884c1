"""Privacy in the widget, in a real Chromium against a real daphne process: the consent notice
holds the composer until the visitor agrees; the visitor downloads its data as a zip and deletes
it, confirmed, after which nothing of it is left and the widget starts afresh."""

from __future__ import annotations

import json
import zipfile

import pytest
from playwright.sync_api import expect

from chat.models import Contact, Conversation, Message
from privacy.models import Consent, ErasureRecord, InboxPrivacy
from tests.browser.agent_socket import AgentSocket
from tests.browser.test_widget import open_widget, say, wait_for, widget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch):
    root = tmp_path / "media"
    monkeypatch.setenv("MEDIA_ROOT", str(root))
    settings.MEDIA_ROOT = root
    return root


def test_a_visitor_agrees_downloads_and_deletes_its_data(
    browser, server, make_inbox, make_console_agent, host_site, artifacts
):
    from tests.browser.test_widget import SHOP

    inbox = make_inbox(host_site.origin)
    agent = AgentSocket(server, make_console_agent(inbox).user)  # online: the widget offers the chat
    InboxPrivacy.objects.create(inbox=inbox, consent_notice="We keep this chat to answer you.", consent_version=2)
    html = SHOP.format(before="", src=f"{server.url}/static/widget/loader.js", key=inbox.public_key)
    context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(host_site(html, "/shop.html"))
        open_widget(page)
        notice = widget(page).locator(".consent")
        expect(notice).to_contain_text("We keep this chat to answer you.")
        expect(page.get_by_role("textbox", name="Your message")).to_be_disabled()
        page.get_by_role("button", name="I agree").click()
        expect(notice).to_be_hidden()
        assert wait_for(lambda: Consent.objects.filter(version=2).exists())
        say(page, "My order 1234 is late")
        contact = Contact.objects.get(consents__version=2)
        assert Conversation.objects.filter(contact=contact).exists()
        # The page's styles stay out of the widget, and the widget's out of the page.
        assert (
            page.locator("body > button.send").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(0, 255, 0)"
        )

        page.get_by_role("button", name="Past conversations").click()
        with page.expect_download() as got:
            page.get_by_role("button", name="Download my data").click()
        assert got.value.suggested_filename == "my-data.zip"
        with zipfile.ZipFile(got.value.path()) as archive:
            data = json.loads(archive.read("data.json"))
        assert data["contact"]["id"] == str(contact.public_id)
        assert data["conversations"][0]["messages"][0]["text"] == "My order 1234 is late"
        page.screenshot(path=str(artifacts / "widget-my-data.png"))

        page.get_by_role("button", name="Delete my data").click()
        expect(widget(page).get_by_role("alert")).to_contain_text("cannot be undone")
        page.get_by_role("button", name="Delete for good").click()
        expect(widget(page).locator(".done")).to_contain_text("Your data was deleted.")
        assert wait_for(lambda: not Contact.objects.filter(pk=contact.pk).exists())
        assert not Message.objects.filter(text__contains="order 1234").exists()
        assert ErasureRecord.objects.get().actor_kind == "visitor"
        # The widget starts afresh: no transcript of the old contact, and nothing of it in storage.
        expect(widget(page).locator(".log")).not_to_contain_text("My order 1234 is late")
        stored = page.evaluate("() => JSON.stringify(Object.entries(localStorage))")
        assert "order 1234" not in stored
    finally:
        context.close()
        agent.close()
