"""``manage.py kb_import FILE``: create or update articles from JSON Lines (one article per line:
{"slug", "locale", "title", "body", "category"}), matched by slug and locale, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chat.errors import ServiceError
from knowledge import services
from knowledge.choices import ArticleStatus


class Command(BaseCommand):
    help = "Import articles from a JSON Lines file ('-' reads standard input); they are published unless --draft."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--draft", action="store_true", help="Import as drafts instead of publishing.")

    def handle(self, *args, file: str, draft: bool, **options) -> None:
        try:
            lines = sys.stdin.read().splitlines() if file == "-" else Path(file).read_text("utf-8").splitlines()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}")
        status = ArticleStatus.DRAFT if draft else ArticleStatus.PUBLISHED
        try:
            result = services.articles_import(lines=lines, status=status)
        except ServiceError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged")
