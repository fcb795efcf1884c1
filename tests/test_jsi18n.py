"""The scripts' translations: every text the console and the widget write is in the djangojs
catalogue of each language, the committed .mo says what the .po says, and /jsi18n/ serves it to
any origin, compressed."""

from __future__ import annotations

import ast
import gzip
import json
import re
from gettext import GNUTranslations
from pathlib import Path

import pytest

from tests.servers import ROOT

MESSAGES = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
# gettext("...") and gettext_noop("..."): the calls `makemessages -d djangojs` collects.
CALL = re.compile(r"""\bgettext(?:_noop)?\(\s*"((?:[^"\\]|\\.)*)\"""")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def script_texts() -> dict[str, set[str]]:
    """Every text written in a gettext call, with the scripts that write it."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "static").rglob("*.js")):
        for text in CALL.findall(path.read_text()):
            found.setdefault(ast.literal_eval(f'"{text}"'), set()).add(str(path.relative_to(ROOT)))
    return found


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (single-line entries: makemessages runs with --no-wrap)."""
    entries = {}
    for msgid, msgstr in re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', path.read_text(), re.M):
        if msgid:
            entries[ast.literal_eval(f'"{msgid}"')] = ast.literal_eval(f'"{msgstr}"')
    return entries


def test_every_text_of_the_scripts_is_translated_with_its_placeholders():
    texts = script_texts()
    assert len(texts) > 100, "the scripts' texts were not found"
    with (MESSAGES / "djangojs.mo").open("rb") as mo:
        catalogue = GNUTranslations(mo)._catalog
    missing = sorted(text for text in texts if not catalogue.get(text))
    assert not missing, f"not in locale/zh_Hans/LC_MESSAGES/djangojs.mo (run makemessages -d djangojs): {missing}"
    for text in texts:
        assert set(PLACEHOLDER.findall(catalogue[text])) == set(PLACEHOLDER.findall(text)), text


def test_the_committed_mo_says_what_the_po_says():
    entries = po_entries(MESSAGES / "djangojs.po")
    with (MESSAGES / "djangojs.mo").open("rb") as mo:
        catalogue = {k: v for k, v in GNUTranslations(mo)._catalog.items() if k}
    assert entries == catalogue, "djangojs.mo is stale: run `python manage.py compilemessages`"
    assert set(entries) == set(script_texts()), "djangojs.po is stale: run `python manage.py makemessages -d djangojs`"


def test_the_catalogue_is_served_to_any_origin_compressed(client):
    response = client.get(
        "/jsi18n/widget/zh-hans.json", headers={"accept-encoding": "gzip, br", "origin": "https://shop.example"}
    )
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age=3600" in response["Cache-Control"] and "public" in response["Cache-Control"]
    catalog = json.loads(gzip.decompress(response.content))["catalog"]
    assert catalog["Chat with us"] == "在线咨询" and catalog["Connecting…"] == "正在连接…"
    assert "Connected" not in catalog  # a visitor downloads the widget's words, not the console's
    assert "Available %s" not in catalog  # nor the admin's own script catalogue
    console = client.get("/jsi18n/console/zh-hans.json").json()["catalog"]
    assert console["Connected"] == "已连接" and console["Connecting…"] == "正在连接…" and "Chat with us" not in console


def test_english_needs_no_catalogue_and_unknown_languages_are_not_found(client):
    response = client.get("/jsi18n/widget/en.json")
    assert response.status_code == 200 and response.json() == {"catalog": {}}
    assert client.get("/jsi18n/widget/fr.json").status_code == 404
    assert client.get("/jsi18n/reports/zh-hans.json").status_code == 404
    assert client.post("/jsi18n/widget/en.json").status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_console_loads_its_modules_and_the_catalogue_of_its_language(admin_client, admin_user, language):
    from agents.models import AgentProfile

    AgentProfile.objects.create(user=admin_user, capacity=3)
    page = admin_client.get("/console/", headers={"accept-language": language}).content.decode()
    assert '<script type="module" src="/static/console/main.js">' in page
    assert ('href="/jsi18n/console/zh-hans.json"' in page) == (language == "zh-hans")  # English needs none
