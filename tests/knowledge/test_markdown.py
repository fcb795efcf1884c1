"""Article bodies: a small Markdown subset, and never raw HTML."""

from __future__ import annotations

from knowledge.markdown import plain_text, render
from knowledge.text import passages, summary


def test_subset_renders_blocks_and_inline_marks():
    html = render("# Steps\n\nOpen **Orders**, then *Refund*.\n\n- one `code`\n- two [help](/help/)\n\n1. first")
    assert "<h2>Steps</h2>" in html
    assert "<p>Open <strong>Orders</strong>, then <em>Refund</em>.</p>" in html
    assert '<ul>\n<li>one <code>code</code></li>\n<li>two <a href="/help/">help</a></li>\n</ul>' in html
    assert "<ol>\n<li>first</li>\n</ol>" in html


def test_raw_html_and_script_links_stay_text():
    html = render("<script>alert(1)</script> [x](javascript:alert(1)) [y](//evil.example) <img src=x onerror=1>")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html and 'href="//evil' not in html


def test_attribute_cannot_be_broken_out_of():
    html = render('[a](https://x.example/"onmouseover="alert(1))')
    assert 'onmouseover="' not in html


def test_plain_text_summary_and_passages():
    body = "Open **Orders** and choose [Refund](/help/). It takes 5 days.\n\nMore details follow here."
    assert plain_text(body).startswith("Open Orders and choose Refund. It takes 5 days.")
    assert summary(body) == "Open Orders and choose Refund. It takes 5 days."
    assert passages("Refunds", body)[:3] == [
        "Refunds",
        "Refunds. Open Orders and choose Refund. It takes 5 days.",
        "Open Orders and choose Refund.",
    ]
    long = "This sentence is quite long. " * 20
    assert len(summary(long)) <= 280 and summary(long).endswith(".")
