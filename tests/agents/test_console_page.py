"""The console page: who may open it, what managers get, its languages, and the admin pages
where admins configure tags and canned responses."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agents.canned import canned_render
from agents.models import CannedResponse
from chat.models import Tag

pytestmark = pytest.mark.django_db


def test_signed_out_visitors_go_to_the_login_page(client):
    response = client.get("/console/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_user_who_is_not_an_agent_is_refused(client):
    client.force_login(get_user_model().objects.create_user(username="carl", password="x"))
    assert client.get("/console/").status_code == 403


def test_only_managers_get_the_all_view(client, alice, make_agent):
    client.force_login(alice)
    page = client.get("/console/").content.decode()
    assert 'id="tab-team"' in page and 'id="tab-resolved"' in page and 'id="tab-all"' not in page
    assert 'id="hd-manager" type="application/json">false<' in page
    client.force_login(make_agent("maria", manager=True))
    page = client.get("/console/").content.decode()
    assert 'id="tab-all"' in page
    assert 'id="hd-manager" type="application/json">true<' in page


def test_the_console_speaks_simplified_chinese(client, alice):
    client.force_login(alice)
    page = client.get("/console/", headers={"accept-language": "zh-hans"}).content.decode()
    assert 'id="hd-language" type="application/json">"zh-hans"<' in page  # the script's string table
    for words in ("队列", "我的", "内部备注", "搜索对话记录", "键盘快捷键", "设为等待客户"):
        assert words in page, words
    english = client.get("/console/", headers={"accept-language": "en"}).content.decode()
    assert "Queue" in english and "队列" not in english


def test_canned_render_fills_known_variables_and_keeps_unknown_ones():
    variables = {"contact.name": "Dana", "agent.name": "Alice"}
    text = "Hi {{contact.name}}, {{ agent.name }} here. {{contact.phone}} {{contact.name"
    assert canned_render(text, variables=variables) == "Hi Dana, Alice here. {{contact.phone}} {{contact.name"


@pytest.mark.parametrize("model", ["agents_cannedresponse", "chat_tag"])
def test_admins_configure_tags_and_canned_responses(admin_client, model):
    Tag.objects.create(name="vip")
    CannedResponse.objects.create(short_code="hi", text="Hi {{contact.name}}")
    for view in ("changelist", "add"):
        assert admin_client.get(reverse(f"admin:{model}_{view}")).status_code == 200
