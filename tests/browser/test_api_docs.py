"""The API documentation at /api/docs/: Swagger UI from files this server ships, no CDN."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_the_schema_from_this_server_alone(browser, server, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(f"{server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Helpdesk API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() >= 10  # every documented operation is listed
    assert hosts == {urlsplit(server.url).netloc}, f"the page reached other hosts: {hosts}"
    page.screenshot(path=str(artifacts / "api-docs.png"))
    context.close()
