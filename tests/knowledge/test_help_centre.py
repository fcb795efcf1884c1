"""The public help centre at /help/: lists, search in both languages, articles, feedback; drafts never show."""

# ruff: noqa: RUF001  (Chinese text takes full-width punctuation)
from __future__ import annotations

import re

import pytest

from knowledge.models import Article

pytestmark = pytest.mark.django_db


def titles(html: str) -> list[str]:
    return re.findall(r'<a href="/help/[a-z-]+/[\w-]+/"[^>]*>([^<]+)</a>', html)


def test_index_lists_published_articles_by_category_in_the_readers_language(client, kb):
    page = client.get("/help/?lang=en").content.decode()
    assert '<html lang="en">' in page
    assert titles(page) == [  # categories in order: Account, Billing, Coffee, Shipping
        "How do I reset my password?",
        "How do I get a refund?",
        "Which grind size should I choose?",
        "How long does delivery take?",
    ]
    assert "Gift cards" not in page and "Secret" not in page
    chinese = client.get("/help/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="zh-hans">' in chinese and "帮助中心" in chinese
    # The translated article in Chinese; the others in English, marked as such for screen readers.
    assert "如何申请退款？" in titles(chinese) and "How do I reset my password?" in titles(chinese)
    assert 'lang="en">How do I reset my password?' in chinese


@pytest.mark.parametrize(
    ("query", "lang", "expected"),
    [
        ("money back", "en", "How do I get a refund?"),
        ("forgot my password", "en", "How do I reset my password?"),
        ("我想退款", "zh-hans", "如何申请退款？"),
        ("忘记密码了", "zh-hans", "How do I reset my password?"),  # an English-only article, found in Chinese
        ("快递要几天", "zh-hans", "How long does delivery take?"),
    ],
)
def test_search_finds_articles_in_both_languages(client, kb, query, lang, expected):
    page = client.get("/help/", {"q": query, "lang": lang}).content.decode()
    assert titles(page)[0] == expected, page


def test_search_never_shows_drafts_and_says_when_nothing_matches(client, kb):
    page = client.get("/help/", {"q": "gift cards launch", "lang": "en"}).content.decode()
    assert "Gift cards are coming" not in page
    nothing = client.get("/help/", {"q": "quantum chromodynamics lecture", "lang": "en"}).content.decode()
    assert titles(nothing) == [] and "No article matches" in nothing


def test_article_page_renders_markdown_links_translations_and_hides_drafts(client, kb):
    page = client.get("/help/en/refund-policy/")
    html = page.content.decode()
    assert page.status_code == 200 and "<h1>How do I get a refund?</h1>" in html
    assert "<strong>Request refund</strong>" in html
    assert 'href="/help/zh-hans/refund-policy/"' in html
    assert client.get("/help/en/gift-cards/").status_code == 404
    assert client.get("/help/fr/refund-policy/").status_code == 404
    assert client.get("/help/zh-hans/reset-password/").status_code == 404


def test_feedback_counts_once_per_session(client, kb):
    for vote in ("yes", "yes", "no"):
        response = client.post("/help/en/reset-password/feedback/", {"helpful": vote})
        assert response.status_code == 302
    article = Article.objects.get(slug="reset-password")
    assert (article.helpful_count, article.not_helpful_count) == (1, 0)
    assert "Thank you for your feedback." in client.get("/help/en/reset-password/").content.decode()
    assert client.post("/help/en/gift-cards/feedback/", {"helpful": "yes"}).status_code == 404
