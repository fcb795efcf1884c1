"""The widget's article search (public, CORS for the inbox's origins) and the agents' article API."""

# ruff: noqa: RUF001  (Chinese text takes full-width punctuation)
from __future__ import annotations

import pytest

from chat import services as chat_services
from knowledge.models import Article
from tests.conftest import ORIGIN, new_client_id

pytestmark = pytest.mark.django_db


def search(client, inbox, q, locale="en", origin=ORIGIN):
    return client.get(
        f"/api/widget/{inbox.public_key}/articles/search/", {"q": q, "locale": locale}, HTTP_ORIGIN=origin
    )


def test_widget_search_in_both_languages_with_cors_for_allowed_origins(client, inbox, kb):
    response = search(client, inbox, "how long until my parcel arrives")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    body = response.json()
    top = body["results"][0]
    assert top["slug"] == "shipping-times" and top["locale"] == "en"
    assert top["url"].endswith("/help/en/shipping-times/") and top["snippet"].startswith("Orders leave")
    chinese = search(client, inbox, "怎么退款", locale="zh-hans").json()["results"][0]
    assert (chinese["slug"], chinese["locale"], chinese["title"]) == ("refund-policy", "zh-hans", "如何申请退款？")
    # A Chinese question about an article that exists only in English.
    assert search(client, inbox, "密码忘了", locale="zh-hans").json()["results"][0]["slug"] == "reset-password"


def test_widget_search_hides_drafts_and_refuses_foreign_origins(client, inbox, kb):
    results = search(client, inbox, "gift cards launch in June").json()["results"]
    assert "gift-cards" not in {r["slug"] for r in results}
    foreign = search(client, inbox, "refund", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in foreign
    assert client.get("/api/widget/nope/articles/search/", {"q": "refund"}).status_code == 404
    assert search(client, inbox, "").json()["results"] == []


def test_agents_write_articles_and_visitors_may_not(client, alice, kb):
    assert client.get("/api/articles/").status_code in (401, 403)
    client.force_login(alice)
    listed = client.get("/api/articles/").json()["results"]
    assert {(a["slug"], a["locale"]) for a in listed} == set(kb)
    made = client.post(
        "/api/articles/",
        {"slug": "opening-hours", "locale": "en", "title": "When are you open?", "body": "Mon-Fri 9-17."},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["status"] == "draft"
    article_id = made.json()["id"]
    dup = client.post(
        "/api/articles/",
        {"slug": "opening-hours", "locale": "en", "title": "x", "body": "y"},
        content_type="application/json",
    )
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "article_exists"
    published = client.patch(f"/api/articles/{article_id}/", {"status": "published"}, content_type="application/json")
    assert published.json()["status"] == "published"
    assert client.get("/help/en/opening-hours/").status_code == 200
    assert client.delete(f"/api/articles/{article_id}/").status_code == 204
    assert client.get(f"/api/articles/{article_id}/").status_code == 404


def test_agent_turns_an_answer_into_a_draft(client, visitor, alice, make_agent, kb):
    conversation, _ = chat_services.conversation_start(
        contact=visitor.contact, text="Do you ship to Norway?", client_id=new_client_id()
    )
    client.force_login(alice)
    url = f"/api/conversations/{conversation.public_id}/article-draft/"
    assert client.post(url, {}, content_type="application/json").status_code == 400  # no answer yet
    chat_services.conversation_claim(conversation=conversation, agent=alice)
    conversation.refresh_from_db()
    reply = chat_services.message_send(
        conversation=conversation, sender=alice, text="Yes, in 5 to 8 days.", client_id=new_client_id()
    ).message
    draft = {"message_id": str(reply.public_id), "category": "Shipping"}
    made = client.post(url, draft, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["title"] == "Do you ship to Norway?" and made.json()["body"] == "Yes, in 5 to 8 days."
    assert made.json()["source_conversation"] == str(conversation.public_id)
    assert Article.objects.get(public_id=made.json()["id"]).status == "draft"
    stranger = make_agent("stranger", inboxes=[])
    client.force_login(stranger)
    assert client.post(url, {}, content_type="application/json").status_code == 404
