"""Search over transcripts (PostgreSQL full-text in the shared pass, a substring scan on SQLite)
and the contact panel, both scoped to what the asking agent may see."""

from __future__ import annotations

import pytest
from django.db import connection

from chat import services
from chat.models import Conversation, Inbox
from chat.selectors import HIGHLIGHT_START, HIGHLIGHT_STOP, mark_excerpt
from tests.conftest import new_client_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_inbox(db) -> Inbox:
    return Inbox.objects.create(name="Other shop")


def chat(contact, *texts: str) -> Conversation:
    conversation, _ = services.conversation_start(contact=contact, text=texts[0], client_id=new_client_id())
    for text in texts[1:]:
        services.message_send(conversation=conversation, sender=contact, text=text, client_id=new_client_id())
    return conversation


def login(client, user):
    client.force_login(user)
    return client


def hits(client, q: str) -> list[dict]:
    response = client.get("/api/search/", {"q": q})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def marked(hit: dict) -> list[str]:
    return [s["text"].lower() for s in hit["highlight"] if s["match"]]


def test_search_finds_transcripts_with_highlights(client, make_contact, alice):
    target = chat(make_contact("Ann").contact, "Hello", "My parcel never arrived, I want a refund please")
    chat(make_contact("Ben").contact, "Where is the shop in Berlin?")
    results = hits(login(client, alice), "refund")
    assert [r["conversation"]["id"] for r in results] == [str(target.public_id)]
    hit = results[0]
    assert hit["conversation"]["number"] == target.number and hit["conversation"]["contact"]["name"] == "Ann"
    assert hit["message"]["seq"] == 2 and hit["message"]["sender"]["kind"] == "contact"
    assert marked(hit) == ["refund"]
    assert "parcel" in "".join(s["text"] for s in hit["highlight"])
    # Every word must match (in any order), and case does not matter.
    assert len(hits(client, "REFUND parcel")) == 1
    assert hits(client, "refund berlin") == []


def test_search_is_scoped_to_the_agents_inboxes(client, make_contact, alice, make_agent, other_inbox):
    chat(make_contact("Ann").contact, "refund for order 17")
    chat(make_contact("Olga", target=other_inbox).contact, "refund for order 18")
    outsider = make_agent("olaf", inboxes=[other_inbox])
    manager = make_agent("maria", manager=True, inboxes=[])
    assert [r["conversation"]["contact"]["name"] for r in hits(login(client, alice), "refund")] == ["Ann"]
    assert [r["conversation"]["contact"]["name"] for r in hits(login(client, outsider), "refund")] == ["Olga"]
    assert sorted(r["conversation"]["contact"]["name"] for r in hits(login(client, manager), "refund")) == [
        "Ann",
        "Olga",
    ]


def test_private_notes_are_found_by_agents(client, make_contact, alice):
    conversation = chat(make_contact("Ann").contact, "hello")
    services.note_add(conversation=conversation, agent=alice, text="customer is a wholesaler", client_id="n1")
    (hit,) = hits(login(client, alice), "wholesaler")
    assert hit["message"]["is_private"] is True and marked(hit) == ["wholesaler"]


def test_markup_in_a_transcript_comes_back_as_plain_text_segments(client, make_contact, alice):
    chat(make_contact("Ann").contact, "<img src=x onerror=alert(1)> refund <b>now</b>")
    (hit,) = hits(login(client, alice), "refund")
    text = "".join(s["text"] for s in hit["highlight"])
    assert "<img src=x onerror=alert(1)>" in text and "<b>now</b>" in text
    assert marked(hit) == ["refund"]
    assert all(set(s) == {"text", "match"} for s in hit["highlight"])


def test_chinese_text_is_found_on_every_database(client, make_contact, alice):
    chat(make_contact("Li").contact, "你好，我想申请退款，订单还没到")  # noqa: RUF001 (Chinese punctuation)
    (hit,) = hits(login(client, alice), "退款")
    assert marked(hit) == ["退款"]


def test_chinese_is_found_by_its_words_not_only_as_one_string(client, make_contact, alice):
    target = chat(make_contact("Li").contact, "你好，我想申请退款，订单还没到")  # noqa: RUF001 (Chinese punctuation)
    chat(make_contact("Wang").contact, "请问订阅怎么暂停")
    login(client, alice)
    for query in ("我要退款", "订单 退款", "退款的订单"):  # no query is a substring of the text
        (hit,) = hits(client, query)
        assert hit["conversation"]["id"] == str(target.public_id), query
        assert "退款" in marked(hit)
    assert hits(client, "退款 暂停") == []  # every word must be there
    assert [h["conversation"]["contact"]["name"] for h in hits(client, "我想暂停订阅")] == ["Wang"]
    assert [h["conversation"]["contact"]["name"] for h in hits(client, "退款 -订单")] == []


def test_an_english_word_in_a_chinese_query_matches_both_scripts(client, make_contact, alice):
    chat(make_contact("Li").contact, "我的 subscription 扣款两次")
    (hit,) = hits(login(client, alice), "subscription 扣款")
    assert hit["conversation"]["contact"]["name"] == "Li"


def test_entries_keep_their_chinese_words_and_only_those(make_contact):
    conversation = chat(make_contact("Li").contact, "Where is my parcel?", "包裹还没到")
    english, chinese = conversation.messages.order_by("seq")
    assert english.search_terms == ""
    assert chinese.search_terms.split() == ["包裹", "没到"]


def test_postgresql_searches_chinese_through_its_own_index(alice):
    from django.test.utils import CaptureQueriesContext

    from chat.selectors import search_for_agent

    with CaptureQueriesContext(connection) as queries:
        search_for_agent(user=alice, query="我要退款")
    (sql,) = [q["sql"] for q in queries.captured_queries if "chat_message" in q["sql"]]
    if connection.vendor != "postgresql":
        assert "to_tsvector" not in sql
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "message_terms_search" in plan, plan


@pytest.mark.parametrize("q", ["", "x", "y" * 201])
def test_bad_queries_are_400(client, alice, q):
    response = login(client, alice).get("/api/search/", {"q": q})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_search_needs_a_session(client):
    assert client.get("/api/search/", {"q": "refund"}).status_code in (401, 403)


def test_the_full_text_index_exists_only_on_postgresql(db):
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "chat_message")
    assert ("message_text_search" in indexes) == (connection.vendor == "postgresql")


def test_a_minus_word_excludes_on_every_database(client, make_contact, alice):
    chat(make_contact("Ann").contact, "refund for the Berlin shop")
    chat(make_contact("Ben").contact, "refund for the Paris shop")
    results = hits(login(client, alice), "refund -berlin")
    assert [r["conversation"]["contact"]["name"] for r in results] == ["Ben"]
    assert marked(results[0]) == ["refund"]


def test_postgresql_searches_through_the_full_text_index(alice):
    from django.test.utils import CaptureQueriesContext

    from chat.selectors import search_for_agent

    with CaptureQueriesContext(connection) as queries:
        search_for_agent(user=alice, query="refund")
    (sql,) = [q["sql"] for q in queries.captured_queries if "chat_message" in q["sql"]]
    if connection.vendor != "postgresql":
        assert "LIKE" in sql and "to_tsvector" not in sql
        return
    assert "to_tsvector" in sql and "websearch_to_tsquery" in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "message_text_search" in plan, plan


def test_the_fallback_marks_every_occurrence_in_a_window():
    text = "a" * 300 + " Refund now, refund later " + "b" * 300
    excerpt = mark_excerpt(text, ["refund"])
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert excerpt.count(HIGHLIGHT_START) == 2 and excerpt.count(HIGHLIGHT_STOP) == 2
    assert f"{HIGHLIGHT_START}Refund{HIGHLIGHT_STOP}" in excerpt


# --- the contact panel ------------------------------------------------------------------------


def test_contact_panel_lists_earlier_conversations_with_ratings(client, make_contact, alice):
    who = make_contact("Ann")
    services.contact_update(contact=who.contact, email="ann@example.com")
    who.contact.attributes = {"plan": "pro"}
    who.contact.save(update_fields=["attributes"])
    first = chat(who.contact, "first time")
    services.conversation_claim(conversation=first, agent=alice)
    services.conversation_resolve(conversation=first, actor=alice)
    services.conversation_rate(conversation=first, contact=who.contact, score=5, comment="Quick!")
    second = chat(who.contact, "back again")
    chat(make_contact("Ben").contact, "someone else")

    response = login(client, alice).get(f"/api/conversations/{second.public_id}/contact/")
    assert response.status_code == 200
    panel = response.json()
    assert panel["name"] == "Ann" and panel["email"] == "ann@example.com"
    assert panel["attributes"] == {"plan": "pro"}
    assert [c["id"] for c in panel["conversations"]] == [str(second.public_id), str(first.public_id)]
    assert panel["conversations"][1]["rating"] == {"score": 5, "comment": "Quick!"}
    assert panel["conversations"][0]["rating"] is None


def test_contact_panel_is_scoped(client, make_contact, make_agent, other_inbox):
    conversation = chat(make_contact("Ann").contact, "hello")
    outsider = make_agent("olaf", inboxes=[other_inbox])
    response = login(client, outsider).get(f"/api/conversations/{conversation.public_id}/contact/")
    assert response.status_code == 404
