"""Fit the bot's confidence model: ``manage.py bot_calibrate --kb KB.jsonl --questions TUNE.jsonl``.

Run it on the tuning questions only, never on the test half. It builds the same throwaway index as
``bot_eval`` (with the encoders this process loads: set ``HELPDESK_KB_ENCODER`` to fit another
mode), labels the best article of each question right or wrong (an off-topic question's best
article is always wrong), fits a logistic model on the features of bot/calibration.py, and picks
the answer threshold: the one with the most correct answers among those that, in every locale,
give at most ``--max-wrong`` wrong answers and hand off at least ``--min-off-topic`` of the off-topic
questions. It writes the model under the index's mode into ``--output`` (bot/calibration.json by
default), keeping the other modes, and prints it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from bot import calibration
from bot.evaluation import load_index, read_questions

THRESHOLDS = [round(0.05 * i, 2) for i in range(6, 20)]  # 0.30 ... 0.95


class Command(BaseCommand):
    help = "Fit the bot's confidence model on tuning questions and write it to bot/calibration.json."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--kb", required=True)
        parser.add_argument("--questions", required=True, help="The tuning half: id, q, locale, expected.")
        parser.add_argument("--output", default=str(calibration.MODEL_FILE))
        parser.add_argument("--max-wrong", type=float, default=0.05)
        parser.add_argument("--min-off-topic", type=float, default=0.90)

    def handle(self, *args, kb: str, questions: str, output: str, max_wrong: float, min_off_topic: float, **o):
        index, _ = load_index(kb)
        names = calibration.FEATURES.get(index.mode)
        if names is None:
            raise CommandError(f"No features are defined for the index mode {index.mode!r}.")
        asked = read_questions(questions)
        rows, labels, tops = [], [], []
        for q in asked:
            hits = index.search(q.q, locale=q.locale, limit=3)
            if not hits:
                continue
            rows.append(calibration.features(hits, names))
            labels.append(1.0 if hits[0].slug == q.expected else 0.0)
            tops.append((q, hits))
        model = {"features": list(names), **calibration.fit(np.asarray(rows), np.asarray(labels))}
        model["threshold"], figures = _threshold(model, tops, max_wrong, min_off_topic)
        model["fitted_on"] = {"questions": Path(questions).name, "articles": Path(kb).name, "at_threshold": figures}
        path = Path(output)
        models = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        models[index.mode] = model
        path.write_text(json.dumps(models, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        calibration.load_models.cache_clear()
        self.stdout.write(json.dumps({index.mode: model}, ensure_ascii=False))


def _threshold(model: dict, tops: list, max_wrong: float, min_off_topic: float) -> tuple[float, dict]:
    """The threshold with the most correct answers that meets both limits in every locale (the
    strictest threshold when none does)."""
    probabilities = [calibration.probability(hits, model) for _, hits in tops]
    best = None
    for threshold in THRESHOLDS:
        figures, ok = {}, True
        for locale in sorted({q.locale for q, _ in tops}):
            mine = [(q, hits, p) for (q, hits), p in zip(tops, probabilities, strict=True) if q.locale == locale]
            answered = [(q, hits) for q, hits, p in mine if p >= threshold]
            correct = sum(1 for q, hits in answered if hits[0].slug == q.expected)
            wrong = len(answered) - correct
            off = [q for q, _, _ in mine if q.expected is None]
            off_answered = sum(1 for q, _ in answered if q.expected is None)
            on = len(mine) - len(off)
            figures[locale] = {
                "correct_rate": round(correct / on, 4) if on else None,
                "wrong_rate": round(wrong / len(mine), 4),
                "off_topic_handoff_rate": round(1 - off_answered / len(off), 4) if off else None,
            }
            ok &= wrong / len(mine) <= max_wrong and (not off or 1 - off_answered / len(off) >= min_off_topic)
        score = sum(f["correct_rate"] or 0 for f in figures.values())
        if ok and (best is None or score > best[0]):
            best = (score, threshold, figures)
    if best is None:
        return THRESHOLDS[-1], {}
    return best[1], best[2]
