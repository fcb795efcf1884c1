"""Static files as production serves them: `collectstatic` with STATIC_COLLECTED writes hashed,
gzipped ES modules whose imports name the hashed files, and a daphne process serves them with
DEBUG off. The widget then loads from another origin (module scripts need CORS) with hashed
modules cached for a year behind the stable, briefly cached loader.js; the console loads too; and
what a visitor downloads for the widget stays within its budget."""

# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from posixpath import dirname, join, normpath

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ASYNC_UNSAFE, console_open
from tests.browser.test_chat_in_browser import sign_in_to_console
from tests.servers import ROOT, ServerProcess, server_env

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a visitor of an embedding site may download for the widget, gzipped (issue 6).
WIDGET_BUDGET_BYTES = 25 * 1024
YEAR = "max-age=315360000, public, immutable"
# Names a script uses for another static file: imports (static, dynamic) and new URL("./x", base).
REFERENCE = re.compile(r"""(?:\bfrom\s*|\bimport\(\s*|new URL\(\s*)["'](\.{1,2}/[^"']+)["']""")
# What loads at start: static imports and new URL(...); a module's dynamic import("./x") loads later
# (the widget's Help tab), so it is not part of the first download.
AT_START = re.compile(r"""(?:\bfrom\s*|new URL\(\s*)["'](\.{1,2}/[^"']+)["']""")


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("staticfiles")
    env = {**os.environ, "STATIC_COLLECTED": "true", "STATIC_ROOT": str(root)}
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return root


@pytest.fixture
def production(transactional_db, collected) -> Iterator[ServerProcess]:
    """A daphne process that serves the collected files only, with DEBUG off."""
    env = {k: v for k, v in server_env().items() if k != ASYNC_UNSAFE}
    env.update(STATIC_COLLECTED="true", STATIC_ROOT=str(collected), DEBUG="false")
    process = ServerProcess(env=env).start()
    yield process
    process.stop()


def manifest(root: Path) -> dict[str, str]:
    return json.loads((root / "staticfiles.json").read_text())["paths"]


def references(root: Path, name: str, pattern: re.Pattern = REFERENCE) -> list[str]:
    """The static names the file `name` (as stored under `root`) refers to."""
    text = (root / name).read_text()
    return [normpath(join(dirname(name), ref)) for ref in pattern.findall(text)]


def widget_files(root: Path) -> list[str]:
    """Every file a visitor's browser fetches from STATIC_ROOT for the widget at start, from the
    stable loader on (modules imported dynamically, on first use, are not among them)."""
    seen: list[str] = []
    todo = ["widget/loader.js"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        if name.endswith(".js"):
            todo.extend(references(root, name, AT_START))
    return seen


def fetch(url: str, gzip_ok: bool = True, origin: str | None = None) -> tuple[dict[str, str], bytes]:
    headers = {"Accept-Encoding": "gzip"} if gzip_ok else {}
    if origin:
        headers["Origin"] = origin
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return {k.lower(): v for k, v in response.headers.items()}, response.read()


def test_collected_modules_import_only_hashed_files_that_exist(collected):
    hashed = manifest(collected)
    scripts = [name for name in hashed.values() if name.endswith(".js")]
    assert any(name.startswith("shared/socket.") for name in scripts) and len(scripts) > 20
    for name in scripts:
        for target in references(collected, name):
            assert target in hashed.values(), f"{name} refers to {target}, which is not a hashed file"
            assert (collected / target).exists(), target
    # The stable loader is the hashed loader: it starts the hashed modules of the same build.
    loader = (collected / "widget/loader.js").read_bytes()
    assert loader == (collected / hashed["widget/loader.js"]).read_bytes()
    assert f'new URL("./{Path(hashed["widget/app.js"]).name}", script.src)' in loader.decode()
    assert gzip.decompress((collected / "widget/loader.js.gz").read_bytes()) == loader


def test_hashed_files_are_cached_for_a_year_and_the_loader_briefly_all_gzipped_for_any_origin(production, collected):
    hashed = manifest(collected)
    headers, body = fetch(f"{production.url}/static/widget/loader.js", origin="https://shop.example")
    assert headers["content-encoding"] == "gzip" and headers["cache-control"] == "max-age=60, public"
    assert headers["access-control-allow-origin"] == "*"
    assert gzip.decompress(body) == (collected / "widget/loader.js").read_bytes()
    plain, body = fetch(f"{production.url}/static/widget/loader.js", gzip_ok=False)
    assert "content-encoding" not in plain and body == (collected / "widget/loader.js").read_bytes()
    for name in [*widget_files(collected)[1:], hashed["console/main.js"], hashed["console/console.css"]]:
        headers, body = fetch(f"{production.url}/static/{name}", origin="https://shop.example")
        assert headers["cache-control"] == YEAR, name
        assert headers["content-encoding"] == "gzip" and headers["access-control-allow-origin"] == "*", name
        assert gzip.decompress(body) == (collected / name).read_bytes(), name


def test_a_visitor_downloads_the_widget_within_its_budget(collected, client):
    catalogue = client.get("/jsi18n/widget/zh-hans.json").content
    sizes = {name: len(gzip.compress((collected / name).read_bytes(), 9)) for name in widget_files(collected)}
    sizes["/jsi18n/widget/zh-hans.json"] = len(gzip.compress(catalogue, 9))  # a visitor whose browser asks for Chinese
    assert "widget/widget.css" not in sizes and any(name.startswith("widget/widget.") for name in sizes)
    assert not any(name.startswith("widget/help.") for name in sizes)  # the Help tab loads on first use
    assert sum(sizes.values()) <= WIDGET_BUDGET_BYTES, sizes


def test_collected_scripts_leave_out_their_comment_lines_only(collected):
    hashed = manifest(collected)
    source = (ROOT / "static" / "widget" / "state.js").read_text()
    stored = (collected / hashed["widget/state.js"]).read_text()
    assert "// " in source and "\n// " not in stored and "/** " not in stored
    kept = [line for line in source.splitlines() if not line.lstrip().startswith(("//", "/*", "*"))]
    # The same code, line for line (imports name the hashed files).
    unhashed = [re.sub(r"\.[0-9a-f]{12}\.js", ".js", line) for line in stored.splitlines()]
    assert unhashed == kept
    assert (collected / "widget/loader.js").read_text().startswith("/*! Helpdesk chat widget")


def test_the_widget_runs_from_collected_files_on_another_origin(
    browser, production, collected, make_inbox, make_console_agent, host_site
):
    inbox = make_inbox(host_site.origin)
    console_open(make_console_agent(inbox))
    page_url = host_site(
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>Shop</title></head><body>'
        f'<script async src="{production.url}/static/widget/loader.js" data-inbox="{inbox.public_key}"></script>'
        f"</body></html>"
    )
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    loaded: list[str] = []
    failed: list[str] = []
    page.on("response", lambda r: loaded.append(r.url) if r.url.startswith(production.url) else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    try:
        page.goto(page_url)
        page.get_by_role("button", name="打开聊天").click()  # the Chinese catalogue came from the other origin
        box = page.get_by_role("textbox", name="您的消息")
        box.fill("你好")
        box.press("Enter")
        expect(page.locator("[data-helpdesk-widget] .w .status")).to_have_text("您在队列中排第 1 位，共 1 位。")
    finally:
        context.close()
    assert not failed, failed
    statics = [url.removeprefix(production.url + "/static/") for url in loaded if "/static/" in url]
    assert statics[0] == "widget/loader.js" and set(statics[1:]) == set(widget_files(collected)[1:])
    assert f"{production.url}/jsi18n/widget/zh-hans.json" in loaded


def test_the_console_runs_from_collected_files(browser, production, collected, make_inbox, make_console_agent):
    alice = make_console_agent(make_inbox())
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_in_to_console(page, production, alice)
        modules = page.evaluate("[...document.querySelectorAll('script[type=module]')].map(s => s.src)")
        assert modules == [f"{production.url}/static/{manifest(collected)['console/main.js']}"]
        expect(page.locator("#connection")).to_have_text("Connected")
    finally:
        context.close()
