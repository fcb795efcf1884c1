"""Search terms in both languages: Chinese split into words, English folded onto one form."""

# ruff: noqa: RUF001  (Chinese text takes full-width punctuation)
from __future__ import annotations

from chat import segmentation
from chat.segmentation import has_cjk, search_document, search_terms


def test_english_is_case_folded_stemmed_and_stopwords_dropped():
    assert search_terms("How do I get REFUNDS for my shipped orders?") == ["refund", "ship", "order"]
    assert search_terms("refunding") == search_terms("refunded") == search_terms("refund")
    assert search_terms("Changing") == search_terms("changed") == search_terms("change")


def test_chinese_is_split_into_words():
    terms = search_terms("我的订单什么时候发货？怎么退款")
    assert {"订单", "发货", "退款"} <= set(terms)
    assert "的" not in terms and "怎么" not in terms


def test_mixed_text_and_full_width_forms():
    assert search_terms("iPhone充电器")[:1] == ["iphon"]
    assert "充电器" in search_terms("iPhone充电器")
    assert search_terms("ＡＢＣ１２３") == ["abc123"]
    assert has_cjk("退款 refund") and not has_cjk("refund")
    assert search_document(["退款政策", "Refunds"]) == "退款 政策 refund"


def test_without_jieba_chinese_falls_back_to_character_pairs(monkeypatch):
    monkeypatch.setattr(segmentation, "_jieba", None)
    monkeypatch.setattr(segmentation, "_jieba_failed", True)
    assert search_terms("申请退款") == ["申请", "请退", "退款"]
