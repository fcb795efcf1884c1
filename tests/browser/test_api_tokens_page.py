"""The API tokens page in Chromium, reached from the console: a token is created, its secret shown
once and accepted by the API, and the page passes axe and the Content-Security-Policy."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.test_chat_in_browser import sign_in_to_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_token_from_the_console(browser, server, make_inbox, make_console_agent):
    inbox = make_inbox(server.url)
    alice = make_console_agent(inbox)
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        sign_in_to_console(page, server, alice)
        page.get_by_role("link", name="API tokens").click()
        expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
        page.get_by_label("Name").fill("CRM sync")
        page.get_by_label("Scope").select_option("read")
        page.get_by_role("button", name="Create").click()
        secret = page.get_by_label("The token").input_value()
        assert secret.startswith("hd_")
        assert_accessible(page, "the API tokens page")
        request = urllib.request.Request(
            f"{server.url}/api/conversations/", headers={"Authorization": f"Bearer {secret}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read())["count"] == 0
        page.goto(f"{server.url}/settings/api-tokens/")  # a GET: the list, never the secret
        expect(page.get_by_role("cell", name="CRM sync")).to_be_visible()
        assert secret not in page.content()
        assert not [e for e in errors if "Content Security Policy" in e]
    finally:
        page.close()
