"""A verified identity shows in the console live, in both languages (issue 12, item 6): after the
host page's `Helpdesk.setUser` with a valid HMAC, the open conversation's header and the contact
panel mark the contact "Verified" and show its name without a reload; a wrong hash marks nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from chat.models import Contact
from tests.browser.test_chat_in_browser import open_widget, sign_in_to_console, visitor_says

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_verified_identity_shows_in_the_console_live(browser, server, make_inbox, make_console_agent, artifacts):
    inbox = make_inbox(server.url)
    alice = make_console_agent(inbox)
    bob = make_console_agent(inbox, "bob", "Bob")
    right = hmac.new(inbox.identity_secret.encode(), b"cust-42", hashlib.sha256).hexdigest()
    english = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    chinese = browser.new_context(
        viewport={"width": 1280, "height": 800}, extra_http_headers={"Accept-Language": "zh-Hans"}
    ).new_page()
    visitor_context = browser.new_context()
    shop = visitor_context.new_page()
    try:
        sign_in_to_console(english, server, alice)
        sign_in_to_console(chinese, server, SimpleNamespace(username=bob.username, password=bob.password))
        shop.goto(f"{server.url}/demo/?inbox={inbox.public_key}")
        open_widget(shop)
        visitor_says(shop, "Where is my parcel?")
        for page in (english, chinese):
            page.locator("#queue li").get_by_role("button").click()
            expect(page.locator("#contact-name")).to_contain_text("Visitor")
            expect(page.locator("#conv-verified")).to_be_hidden()
            expect(page.locator("#contact-verified")).to_be_hidden()

        shop.evaluate(f"Helpdesk.setUser({{id: 'cust-42', name: 'Eve Impostor', hash: '{'0' * 64}'}})")
        shop.evaluate(
            f"Helpdesk.setUser({{id: 'cust-42', name: 'Eve Real', email: 'eve@example.com', hash: '{right}'}})"
        )
        for page, word in ((english, "Verified"), (chinese, "已验证")):
            expect(page.locator("#conv-verified")).to_be_visible()
            expect(page.locator("#conv-verified")).to_have_text(f"✓ {word}")
            expect(page.locator("#conv-title")).to_contain_text("Eve Real")
            expect(page.locator("#contact-verified")).to_have_text(f"✓ {word}")
            expect(page.locator("#contact-name")).to_have_text("Eve Real")
            expect(page.locator("#contact-email")).to_have_text("eve@example.com")
            expect(page.locator(".convs li", has_text="Eve Real").first).to_be_visible()
        english.screenshot(path=artifacts / "console-verified-contact.png")
        assert Contact.objects.get().external_id == "cust-42"
    finally:
        for page in (english, chinese, shop):
            page.context.close()
