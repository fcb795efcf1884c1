"""The reports page in Chromium, on generated demo history: it renders, and the screenshots are saved."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reports_page_in_both_languages(browser, server, artifacts):
    call_command("seed_demo", "--quiet", "--origin", server.url)
    call_command("generate_demo_data", "--days", "21", "--total", "400", stdout=open("/dev/null", "w"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/?next=/reports/")
    page.fill("#id_username", "maria")
    page.fill("#id_password", "helpdesk-maria")
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Satisfaction and performance")).to_be_visible()
    expect(page.locator("#csat-rate")).to_contain_text("%")
    assert page.locator("svg[role=img]").count() == 1  # the trend; the two charts with links are groups
    assert page.locator("svg[role=group] a[aria-label]").count() == 5 + 7 * 24
    assert page.locator("#agents-table tbody tr").count() >= 4
    page.screenshot(path=str(artifacts / "reports-en.png"), full_page=True)

    page.locator("#language").select_option("zh-hans")
    expect(page.get_by_role("heading", name="满意度与绩效")).to_be_visible()
    page.screenshot(path=str(artifacts / "reports-zh-hans.png"), full_page=True)

    page.get_by_role("link", name="放弃的会话").click()  # a figure drills down to its conversations
    expect(page.locator("table.data tbody tr").first).to_be_visible()
    context.close()
