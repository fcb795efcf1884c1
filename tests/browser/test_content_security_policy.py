"""Every page the helpdesk serves sends a Content-Security-Policy, and works under it in Chromium:
no page (console, reports, admin, help centre, demo with the widget, sign-in, API docs) has
anything refused by its policy."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.conftest import console_open
from tests.browser.test_chat_in_browser import open_widget, sign_in_to_console, visitor_says

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
  e.violatedDirective + " " + (e.blockedURI || "inline")));
"""


def watched(page: Page) -> list[str]:
    """CSP refusals the page reports, by event and on the console."""
    refused: list[str] = []
    page.add_init_script(VIOLATION_LISTENER)
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def violations(page: Page, console_refusals: list[str]) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []")) + console_refusals


def test_every_page_works_under_its_policy(browser, server, make_inbox, make_console_agent, artifacts):
    call_command("seed_demo", "--quiet", "--origin", server.url)
    inbox = make_inbox(server.url)
    alice = make_console_agent(inbox, username="carol", first_name="Carol")
    alice.user.is_superuser = True
    alice.user.save()
    context = browser.new_context(viewport={"width": 1280, "height": 850})
    page = context.new_page()
    refused = watched(page)

    response = page.goto(f"{server.url}/accounts/login/?next=/console/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    sign_in_to_console(page, server, alice)
    for path, ready in [
        ("/reports/", "#csat-rate"),
        ("/admin/", "#content"),
        ("/help/", "main"),
        ("/api/docs/", ".swagger-ui .opblock"),
    ]:
        response = page.goto(server.url + path)
        assert response.headers.get("content-security-policy") == policy, path
        expect(page.locator(ready).first).to_be_visible()
        assert violations(page, refused) == [], path

    console_open(alice)  # so the widget offers a live chat, not its offline form
    page.goto(f"{server.url}/demo/?inbox={inbox.public_key}")
    open_widget(page)
    visitor_says(page, "Hello under a strict policy")
    assert violations(page, refused) == []
    context.close()


def test_plain_responses_carry_the_policy_too(client, db):
    get_user_model().objects.create_user("x", password="x")
    for path in ("/accounts/login/", "/healthz", "/help/"):
        assert "default-src 'self'" in client.get(path)["Content-Security-Policy"], path
