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

from django.core.management.base import BaseCommand

from bot.answering import Answer, decide
from bot.evaluation import RETRIEVERS, Outcome, load_index, read_questions, summarize
from knowledge.payloads import article_url


class Command(BaseCommand):
    help = "Answer a question set from a knowledge base as the bot would, and print the figures as JSON."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--kb", required=True, help="Articles, JSON Lines: slug, locale, title, body, category.")
        parser.add_argument("--questions", required=True, help="Questions, JSON Lines: id, q, locale, expected.")
        parser.add_argument("--details", action="store_true", help="Add each question's answer and score.")
        parser.add_argument("--retriever", choices=sorted(RETRIEVERS), default="hybrid")

    def handle(self, *args, kb: str, questions: str, details: bool, retriever: str, **options) -> None:
        index, load_seconds = load_index(kb, retriever=retriever)
        asked = read_questions(questions)
        # First-call costs (the dictionary, caches, the URL resolver) are not an answer's.
        for warm_up in ("warm up", "预热"):
            decide(question=warm_up, locale="en", index=index, llm=None)
        article_url(slug="warm-up", locale="en")
        outcomes = []
        for q in asked:
            t0 = time.perf_counter()
            result = decide(question=q.q, locale=q.locale, index=index, llm=None)
            elapsed = (time.perf_counter() - t0) * 1000
            outcomes.append(
                Outcome(
                    id=q.id,
                    locale=q.locale,
                    expected=q.expected,
                    answer=result.slug if isinstance(result, Answer) else None,
                    score=result.score,
                    ms=elapsed,
                    answer_locale=result.locale if isinstance(result, Answer) else None,
                )
            )
        report = {
            "retriever": retriever,
            "encoder": index.encoder.name if index.encoder else None,
            "articles": len(index),
            "load_seconds": round(load_seconds, 2),
            **summarize(outcomes),
        }
        if details:
            report["details"] = [
                {"id": o.id, "answer": o.answer, "score": None if o.score is None else round(o.score, 4)}
                for o in outcomes
            ]
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=None))
