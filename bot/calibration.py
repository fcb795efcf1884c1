"""How sure the bot is that the best article answers the question: a probability from retrieval's
signals, by a logistic model fitted on the tuning questions.

Hand-set thresholds on each signal held on the questions they were chosen on and let through
twice the wrong answers on the test questions. A model over the same signals, with the runner-up's
margins and whether independent signals agree, weighs them together and generalises better
(docs/bot.md). It is fitted per kind of index (which encoders are loaded: ``KnowledgeIndex.mode``)
by ``manage.py bot_calibrate``, which writes ``bot/calibration.json``; the answer threshold is chosen
there too, on the tuning questions only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from knowledge.index import Hit

MODEL_FILE = Path(__file__).with_name("calibration.json")

# The features per index mode; a signal an index lacks is not asked for.
FEATURES = {
    "use+e5": (
        "rank",
        "rank_margin",
        "use_whole",
        "e5_whole",
        "e5_max",
        "coverage",
        "keyword",
        "agreement",
        "use_whole_margin",
        "e5_whole_margin",
    ),
    "use": ("rank", "rank_margin", "use_whole", "use_top2", "coverage", "keyword", "agreement", "use_whole_margin"),
}


def features(hits: Sequence[Hit], names: Sequence[str]) -> list[float]:
    """The named features of the best hit (and its lead over the runner-up)."""
    top = hits[0]
    second = hits[1] if len(hits) > 1 else None
    values = []
    for name in names:
        if name == "rank":
            values.append(top.rank)
        elif name == "coverage":
            values.append(top.lexical)
        elif name == "agreement":
            values.append(float(top.agreement))
        elif name.endswith("_margin"):
            signal = name.removesuffix("_margin")
            if signal == "rank":
                values.append(top.rank - (second.rank if second else top.rank - 1.0))
            else:
                values.append(top.signals[signal] - (second.signals[signal] if second else 0.0))
        else:
            values.append(top.signals[name])
    return values


@cache
def load_models(path: str = str(MODEL_FILE)) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def model_for(mode: str) -> dict | None:
    return load_models().get(mode)


def probability(hits: Sequence[Hit], model: dict) -> float:
    x = np.asarray(features(hits, model["features"]), dtype=np.float64)
    z = (x - np.asarray(model["mean"])) / np.asarray(model["scale"])
    logit = float(z @ np.asarray(model["weights"]) + model["bias"])
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, logit))))


def fit(rows: np.ndarray, labels: np.ndarray, *, l2: float = 1.0, steps: int = 3000) -> dict:
    """Logistic regression by gradient descent on standardised features (numpy is enough for ten
    features and a few hundred questions)."""
    mean, scale = rows.mean(axis=0), rows.std(axis=0)
    scale[scale == 0] = 1.0
    z = (rows - mean) / scale
    weights, bias = np.zeros(z.shape[1]), 0.0
    n = len(labels)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ weights + bias)))
        weights -= (z.T @ (p - labels) + l2 * weights) / n
        bias -= float((p - labels).sum()) / n
    return {
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "weights": [round(float(v), 6) for v in weights],
        "bias": round(bias, 6),
    }
