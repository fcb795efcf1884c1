"""A small, safe Markdown subset for article bodies, and the plain text under it.

Everything the author wrote is escaped first; only then are a few marks turned into tags, so no
raw HTML ever passes through. The subset: ``#``/``##``/``###`` headings, paragraphs, ``-``/``*``
and ``1.`` lists, ``**bold**``, ``*italic*``, ```code```, and ``[text](url)`` links to http(s),
mailto or site-relative addresses only (anything else, such as ``javascript:``, stays text).
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])")
_SAFE_URL = re.compile(r"^(https?://|mailto:|/(?!/))", re.IGNORECASE)


def _inline(escaped: str) -> str:
    """Inline marks on already-escaped text (so captured groups are escaped too)."""
    codes: list[str] = []

    def keep_code(m: re.Match) -> str:
        codes.append(f"<code>{m.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = _CODE.sub(keep_code, escaped)

    def link(m: re.Match) -> str:
        label, url = m.group(1), m.group(2)
        if not _SAFE_URL.match(url.replace("&amp;", "&")):
            return m.group(0)
        return f'<a href="{url}">{label}</a>'

    text = _LINK.sub(link, text)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)


def render(body: str) -> SafeString:
    """The body as HTML: block structure line by line, inline marks inside each block."""
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None

    def flush_paragraph() -> None:
        if paragraph:
            out.append(f"<p>{_inline(escape(' '.join(paragraph)))}</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    for raw in (body or "").replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        heading, bullet, numbered = _HEADING.match(line), _BULLET.match(line), _NUMBERED.match(line)
        if not line.strip():
            flush_paragraph()
            close_list()
        elif heading:
            flush_paragraph()
            close_list()
            level = len(heading.group(1)) + 1  # the article title is the page's h1
            out.append(f"<h{level}>{_inline(escape(heading.group(2)))}</h{level}>")
        elif bullet or numbered:
            flush_paragraph()
            tag = "ul" if bullet else "ol"
            if list_tag != tag:
                close_list()
                out.append(f"<{tag}>")
                list_tag = tag
            out.append(f"<li>{_inline(escape((bullet or numbered).group(1)))}</li>")
        else:
            close_list()
            paragraph.append(line.strip())
    flush_paragraph()
    close_list()
    return mark_safe("\n".join(out))  # noqa: S308  (every piece above was escaped first)


def plain_text(body: str) -> str:
    """The words of the body without the marks: for snippets, embeddings and keyword search."""
    lines = []
    for raw in (body or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        for pattern in (_HEADING, _BULLET, _NUMBERED):
            m = pattern.match(line)
            if m:
                line = m.group(m.lastindex or 0)
                break
        line = _LINK.sub(r"\1", line)
        line = _CODE.sub(r"\1", line)
        line = _BOLD.sub(r"\1", line)
        line = _ITALIC.sub(r"\1", line)
        lines.append(line.strip())
    return "\n".join(lines).strip()
