"""The public help centre: ``/help/`` lists the articles by category with a search box, in English or
Chinese; ``/help/<locale>/<slug>/`` shows one article with "Was this helpful?".

Plain server-rendered HTML (no script needed), so it is fast, indexable and works with a screen
reader: landmarks, a labelled search field, the reader's language on the page, one ``h1``.
Only published articles are ever shown.
"""

# ruff: noqa: RUF001  (Chinese text takes full-width punctuation)
from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from chat.errors import ServiceError
from knowledge import selectors, services
from knowledge.choices import Locale, locale_for
from knowledge.markdown import render as render_markdown
from knowledge.payloads import article_path

UI = {
    Locale.EN: {
        "title": "Help centre",
        "search_label": "Search the help centre",
        "search_button": "Search",
        "results_for": "Results for",
        "no_results": "No article matches your search. Try other words, or start a chat with us.",
        "general": "General",
        "back": "All articles",
        "helpful": "Was this article helpful?",
        "yes": "Yes",
        "no": "No",
        "thanks": "Thank you for your feedback.",
        "also_in": "Also in",
        "empty": "There are no articles yet.",
        "skip": "Skip to content",
    },
    Locale.ZH_HANS: {
        "title": "帮助中心",
        "search_label": "搜索帮助中心",
        "search_button": "搜索",
        "results_for": "搜索结果：",
        "no_results": "没有找到相关文章。请换个说法，或者联系我们的客服。",
        "general": "常见问题",
        "back": "全部文章",
        "helpful": "这篇文章对您有帮助吗？",
        "yes": "有帮助",
        "no": "没有帮助",
        "thanks": "感谢您的反馈。",
        "also_in": "其他语言",
        "empty": "还没有文章。",
        "skip": "跳到正文",
    },
}
LANGUAGE_NAMES = dict(Locale.choices)


def reader_locale(request: HttpRequest) -> str:
    """``?lang=`` when given, else the language Django negotiated (Accept-Language, cookie)."""
    return locale_for(request.GET.get("lang") or get_language())


def _context(locale: str, **extra) -> dict:
    other = [(code, name) for code, name in Locale.choices if code != locale]
    return {"locale": locale, "ui": UI[locale], "other_locales": other, **extra}


@require_GET
def help_index(request: HttpRequest) -> HttpResponse:
    locale = reader_locale(request)
    query = " ".join(request.GET.get("q", "").split())[: selectors.SEARCH_MAX_CHARS]
    if query:
        hits = selectors.search_public(query=query, locale=locale, limit=10)
        results = [{"hit": h, "path": article_path(slug=h.article.slug, locale=h.article.locale)} for h in hits]
        return render(request, "knowledge/help_search.html", _context(locale, query=query, results=results))
    articles = selectors.published_articles(locale=locale)
    general = UI[locale]["general"]
    categories = [(name or general, list(group)) for name, group in groupby(articles, key=lambda a: a.category)]
    return render(request, "knowledge/help_index.html", _context(locale, categories=categories))


@require_GET
def help_article(request: HttpRequest, locale: str, slug: str) -> HttpResponse:
    if locale not in Locale.values:
        return render(request, "knowledge/help_missing.html", _context(reader_locale(request)), status=404)
    try:
        article = selectors.published_article(slug=slug, locale=locale)
    except ServiceError:
        return render(request, "knowledge/help_missing.html", _context(locale), status=404)
    voted = str(article.public_id) in request.session.get("kb_voted", [])
    return render(
        request,
        "knowledge/help_article.html",
        _context(
            locale,
            article=article,
            body=render_markdown(article.body),
            translations=[(t, LANGUAGE_NAMES[t.locale]) for t in selectors.article_translations(article=article)],
            voted=voted,
        ),
    )


@require_POST
def help_feedback(request: HttpRequest, locale: str, slug: str) -> HttpResponse:
    """One vote per article per browser session; the page then says thank you."""
    try:
        article = selectors.published_article(slug=slug, locale=locale)
    except ServiceError:
        return render(request, "knowledge/help_missing.html", _context(reader_locale(request)), status=404)
    voted = request.session.get("kb_voted", [])
    if str(article.public_id) not in voted and request.POST.get("helpful") in {"yes", "no"}:
        services.article_feedback(article=article, helpful=request.POST["helpful"] == "yes")
        request.session["kb_voted"] = [*voted, str(article.public_id)][-200:]
    return HttpResponseRedirect(article_path(slug=slug, locale=locale) + "#feedback")
