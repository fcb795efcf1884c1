"""``manage.py kb_export [--all] [-o FILE]``: the articles as JSON Lines, the format kb_import reads."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from knowledge.choices import ArticleStatus
from knowledge.models import Article


class Command(BaseCommand):
    help = "Export the published articles (or --all, drafts too) as JSON Lines."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--all", action="store_true", help="Drafts too.")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, output: str | None, **options) -> None:
        articles = Article.objects.order_by("slug", "locale").only("slug", "locale", "title", "body", "category")
        if not options["all"]:
            articles = articles.filter(status=ArticleStatus.PUBLISHED)
        lines = [
            json.dumps(
                {"slug": a.slug, "locale": a.locale, "title": a.title, "body": a.body, "category": a.category},
                ensure_ascii=False,
            )
            for a in articles.iterator()
        ]
        text = "".join(line + "\n" for line in lines)
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            self.stdout.write(text, ending="")
