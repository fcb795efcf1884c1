"""The knowledge base's write path: embeddings and terms on save, the index's version, import and
export, feedback, and drafts from a conversation's answer."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.core.management import call_command

from chat import services as chat_services
from chat.errors import ServiceError
from chat.models import Conversation
from knowledge import selectors, services
from knowledge.choices import ArticleStatus
from knowledge.encoder import get_encoder
from knowledge.index import live_index, unpack, vectors_name
from knowledge.models import Article
from tests.conftest import new_client_id

pytestmark = pytest.mark.django_db


def test_save_stores_embeddings_and_search_terms(kb):
    article = Article.objects.get(slug="refund-policy", locale="zh-hans")
    encoder = get_encoder()
    assert encoder is not None and article.embedding_model == vectors_name(encoder)
    vectors = unpack(article.embedding, encoder.dim)
    assert vectors.shape[1] == encoder.dim == 512 + 384 and vectors.shape[0] >= 3
    # Each encoder's part of a row is normalised on its own (USE, then e5).
    assert np.allclose(np.linalg.norm(vectors[:, :512], axis=1), 1, atol=1e-4)
    assert np.allclose(np.linalg.norm(vectors[:, 512:], axis=1), 1, atol=1e-4)
    assert "退款" in article.search_terms.split()


def test_every_change_moves_the_version_and_the_live_index_follows(kb):
    before = selectors.index_version()
    published = {"refund-policy", "reset-password", "shipping-times", "grind-size"}
    assert {a.slug for a in live_index().articles} == published
    draft = kb["gift-cards", "en"]
    services.article_update(article=draft, status=ArticleStatus.PUBLISHED)
    assert selectors.index_version() != before
    assert "gift-cards" in {a.slug for a in live_index().articles}
    services.article_delete(article=draft)
    assert "gift-cards" not in {a.slug for a in live_index().articles}


def test_validation_and_a_taken_slug(kb):
    with pytest.raises(ServiceError) as exc:
        services.article_create(slug="refund-policy", locale="en", title="Again", body="x")
    assert exc.value.code == "article_exists"
    for bad in ({"slug": "no spaces"}, {"locale": "fr"}, {"title": ""}, {"status": "gone"}):
        fields = {"slug": "ok", "locale": "en", "title": "T", "body": "B", **bad}
        with pytest.raises(ServiceError):
            services.article_create(**fields)


def test_feedback_counts(kb):
    article = kb["reset-password", "en"]
    services.article_feedback(article=article, helpful=True)
    services.article_feedback(article=article, helpful=False)
    services.article_feedback(article=article, helpful=False)
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (1, 2)


def test_import_then_export_round_trips(tmp_path, db):
    rows = [
        {"slug": "a", "locale": "en", "title": "Alpha", "body": "First **one**.", "category": "X"},
        {"slug": "a", "locale": "zh-hans", "title": "甲", "body": "第一个。", "category": "X"},
        {"slug": "b", "locale": "en", "title": "Beta", "body": "Second.", "category": ""},
    ]
    source = tmp_path / "kb.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    call_command("kb_import", str(source))
    assert Article.objects.filter(status=ArticleStatus.PUBLISHED).count() == 3
    rows[2]["body"] = "Second, changed."
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    from io import StringIO

    out = StringIO()
    call_command("kb_import", str(source), stdout=out)
    assert out.getvalue().strip() == "0 created, 1 updated, 2 unchanged"
    target = tmp_path / "out.jsonl"
    call_command("kb_export", "-o", str(target))
    exported = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert exported == sorted(rows, key=lambda r: (r["slug"], r["locale"]))


def test_import_is_all_or_nothing(tmp_path, db):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"slug": "ok", "title": "T", "body": "B"}\n{"slug": "bad slug", "title": "T", "body": "B"}\n')
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("kb_import", str(source))
    assert not Article.objects.exists()
    source.write_text("not json\n")
    with pytest.raises(CommandError, match="Line 1"):
        call_command("kb_import", str(source))


def test_draft_from_a_conversations_answer(visitor, alice):
    conversation, _ = chat_services.conversation_start(
        contact=visitor.contact, text="How do I change the address of my order?", client_id=new_client_id()
    )
    chat_services.conversation_claim(conversation=conversation, agent=alice)
    conversation = Conversation.objects.select_related("inbox", "contact").get(pk=conversation.pk)
    reply = chat_services.message_send(
        conversation=conversation, sender=alice, text="Open the order and press Edit address.", client_id="r1"
    ).message
    chat_services.message_send(
        conversation=conversation, sender=alice, text="(customer is VIP)", client_id="n1", is_private=True
    )
    article = services.article_draft_from_conversation(conversation=conversation, agent=alice)
    assert article.status == ArticleStatus.DRAFT and not article.is_published
    assert article.title == "How do I change the address of my order?"
    assert article.slug == "how-do-i-change-the-address-of-my-order"
    assert article.body == reply.text and article.locale == "en"
    assert article.source_conversation_id == conversation.pk and article.created_by == alice
    again = services.article_draft_from_conversation(conversation=conversation, agent=alice, title="", locale="zh-hans")
    assert again.locale == "zh-hans"
    third = services.article_draft_from_conversation(conversation=conversation, agent=alice)
    assert third.slug == "how-do-i-change-the-address-of-my-order-2"
    note = conversation.messages.get(is_private=True)
    with pytest.raises(ServiceError):
        services.article_draft_from_conversation(conversation=conversation, agent=alice, message=note)


def test_seed_demo_loads_the_demo_shops_knowledge_base_once(db):
    call_command("seed_demo", "--quiet")
    call_command("seed_demo", "--quiet")
    assert Article.objects.filter(status=ArticleStatus.PUBLISHED).count() == 75
    assert Article.objects.filter(slug="wholesale").values_list("locale", flat=True).get() == "en"
    assert live_index().search("运费多少钱 几天能到", locale="zh-hans")[0].slug == "shipping-costs-and-times"
