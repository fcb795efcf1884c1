"""A small knowledge base in two languages, made through the services (so with real embeddings)."""

# ruff: noqa: RUF001  (Chinese text takes full-width punctuation)
from __future__ import annotations

import pytest

from knowledge import services
from knowledge.choices import ArticleStatus
from knowledge.index import forget_live_index

ARTICLES = [
    # slug, locale, title, body, category
    (
        "refund-policy",
        "en",
        "How do I get a refund?",
        "You can ask for a refund within 30 days of delivery. Open your order and choose **Request refund**; "
        "the money goes back to your original payment method within 5 business days.",
        "Billing",
    ),
    (
        "refund-policy",
        "zh-hans",
        "如何申请退款？",
        "收货后 30 天内可以申请退款。打开订单，点击“申请退款”，款项会在 5 个工作日内原路退回。",
        "账单",
    ),
    (
        "reset-password",
        "en",
        "How do I reset my password?",
        "Click **Forgot password** on the sign-in page and enter your email address. "
        "We send you a reset link that works for one hour.",
        "Account",
    ),
    (
        "shipping-times",
        "en",
        "How long does delivery take?",
        "Orders leave our roastery within one business day. Delivery takes 2 to 4 days in the EU "
        "and 5 to 10 days elsewhere.",
        "Shipping",
    ),
    (
        "grind-size",
        "en",
        "Which grind size should I choose?",
        "Choose a fine grind for espresso, medium for drip coffee and coarse for a French press.",
        "Coffee",
    ),
]
DRAFT = ("gift-cards", "en", "Gift cards are coming", "Secret: gift cards launch in June.", "Billing")


@pytest.fixture
def kb(db):
    """Five published articles (one translated) and one draft; returns them by (slug, locale)."""
    forget_live_index()
    made = {}
    for slug, locale, title, body, category in ARTICLES:
        made[slug, locale] = services.article_create(
            slug=slug, locale=locale, title=title, body=body, category=category, status=ArticleStatus.PUBLISHED
        )
    slug, locale, title, body, category = DRAFT
    made[slug, locale] = services.article_create(slug=slug, locale=locale, title=title, body=body, category=category)
    yield made
    forget_live_index()
