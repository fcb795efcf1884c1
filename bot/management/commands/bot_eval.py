"""Measure the bot: ``manage.py bot_eval --kb KB.jsonl --questions Q.jsonl [--details]``.

Loads the articles into a throwaway in-memory index (the database is never read or written),
answers every question with the live bot's decision core, and prints one JSON object: per locale
and overall, the questions, answers, correct and wrong answers, handoffs on off-topic questions,
and the answer time's p50/p99 in milliseconds. ``--retriever`` compares retrieval methods
(docs/bot.md); the live bot uses ``hybrid``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bot.answering import Answer, decide
from bot.evaluation import Outcome, summarize
from knowledge.encoder import get_encoder
from knowledge.index import LEXICAL_WEIGHT, KnowledgeIndex, article_vectors, indexed_article
from knowledge.services import parse_jsonl

RETRIEVERS = {"hybrid": LEXICAL_WEIGHT, "semantic": 0.0, "bm25": None}


def read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}")


class Command(BaseCommand):
    help = "Answer a question set from a knowledge base as the bot would, and print the figures as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--kb", required=True, help="Articles, JSON Lines: slug, locale, title, body, category.")
        parser.add_argument("--questions", required=True, help="Questions, JSON Lines: id, q, locale, expected.")
        parser.add_argument("--details", action="store_true", help="Add each question's answer and score.")
        parser.add_argument("--retriever", choices=sorted(RETRIEVERS), default="hybrid")

    def handle(self, *args, kb: str, questions: str, details: bool, retriever: str, **options) -> None:
        started = time.perf_counter()
        rows = parse_jsonl(read_lines(kb))
        encoder = get_encoder() if RETRIEVERS[retriever] is not None else None
        if retriever != "bm25" and encoder is None:
            raise CommandError("The sentence encoder did not load (see the log); try --retriever bm25.")
        articles = [
            indexed_article(**row, vectors=article_vectors(encoder, row["title"], row["body"]) if encoder else None)
            for row in rows
        ]
        index = KnowledgeIndex(articles, encoder, lexical_weight=RETRIEVERS[retriever] or 0.0)
        load_seconds = time.perf_counter() - started
        for warm_up in ("warm up", "预热"):  # first-call costs (dictionary, caches) are not an answer's
            decide(question=warm_up, locale="en", index=index, llm=None)
        outcomes = []
        for number, line in enumerate(read_lines(questions), start=1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
                text, locale, expected = q["q"], q.get("locale", "en"), q.get("expected")
            except (ValueError, KeyError, TypeError):
                raise CommandError(f"{questions} line {number}: needs id, q, locale and expected.")
            t0 = time.perf_counter()
            result = decide(question=text, locale=locale, index=index, llm=None)
            elapsed = (time.perf_counter() - t0) * 1000
            answered = result.slug if isinstance(result, Answer) else None
            outcomes.append(
                Outcome(
                    id=q.get("id", number),
                    locale=locale,
                    expected=expected,
                    answer=answered,
                    score=result.score,
                    ms=elapsed,
                    answer_locale=result.locale if isinstance(result, Answer) else None,
                )
            )
        report = {
            "retriever": retriever,
            "encoder": encoder.name if encoder else None,
            "articles": len(articles),
            "load_seconds": round(load_seconds, 2),
            **summarize(outcomes),
        }
        if details:
            report["details"] = [
                {"id": o.id, "answer": o.answer, "score": None if o.score is None else round(o.score, 4)}
                for o in outcomes
            ]
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=None))
