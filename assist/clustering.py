"""Grouping first messages by meaning, naming the groups, and scoring a grouping against labels.

Plain numpy, no state, no database:

- ``profile``: what a message is about, read through the knowledge base: its retrieval rank for
  every article (the bot's own ``KnowledgeIndex.search``: both encoders' cosines and BM25),
  softened (``exp(TAU x (rank - best))``) and unit length. Two messages that the same articles
  answer get close profiles whatever their wording or language. On the labelled tuning half this
  doubled the agreement of grouping the raw sentence embeddings (docs/assist.md); ``embed`` (the
  raw rows, each part unit length, the row scaled to unit length) is the fallback when there is
  no knowledge base or no encoder;
- ``group``: spherical k-means (k-means++ seeds, a fixed random seed, so a run is repeatable)
  around *fixed* centres first (pinned reasons keep theirs: a message close enough to a pinned
  centre goes there, the rest are grouped freely), with k chosen by the mean silhouette;
- ``telling_words``: the words most frequent in a group and rare in the others (class TF-IDF),
  segmented with jieba for Chinese, unstemmed so a manager reads real words;
- ``adjusted_rand_index``: agreement with labelled reasons, 1 for identical groupings, about 0
  for chance (Hubert and Arabie's adjustment).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from chat.segmentation import STOPWORDS, normalize, warm_up
from knowledge.encoder import Encoder
from knowledge.index import KnowledgeIndex

PINNED_MIN_SIMILARITY = 0.55  # a message joins a pinned reason from this cosine (tuned on the tuning half)
MAX_K = 16
SEED = 7

_WORDS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z][a-z'-]+")
EXTRA_STOPWORDS = frozenset("one two need still never want does dont i'm it's can't my me order get".split())


TAU = 1.0


def profile(index: KnowledgeIndex, texts: Sequence[str], locales: Sequence[str]) -> np.ndarray:
    """One row per text: its softened rank for each article of ``index`` (see the module's doc)."""
    slugs = {slug: i for i, slug in enumerate(sorted({a.slug for a in index.articles}))}
    ranks = np.zeros((len(texts), len(slugs)), dtype=np.float32)
    for row, (text, locale) in enumerate(zip(texts, locales, strict=True)):
        for hit in index.search(text, locale=locale, limit=len(slugs)):
            ranks[row, slugs[hit.slug]] = hit.rank
    x = np.exp(TAU * (ranks - ranks.max(axis=1, keepdims=True)))
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def embed(encoder: Encoder, texts: list[str]) -> np.ndarray:
    rows = encoder.encode(texts).astype(np.float32)
    return rows / math.sqrt(len(encoder.parts))


def _kmeans(x: np.ndarray, k: int, *, fixed: np.ndarray, rng: np.random.Generator, rounds: int = 30) -> np.ndarray:
    """Labels 0..k-1 for free centres; ``fixed`` centres are not moved (labels follow them)."""
    n = len(x)
    centres = [x[rng.integers(n)]]
    for _ in range(1, k):  # k-means++: far points are likelier seeds
        closest = np.max(x @ np.array(centres).T, axis=1)
        weights = np.clip(1 - closest, 1e-9, None) ** 2
        centres.append(x[rng.choice(n, p=weights / weights.sum())])
    free = np.array(centres)
    labels = np.zeros(n, dtype=int)
    for _ in range(rounds):
        everything = np.vstack([free, fixed]) if len(fixed) else free
        new = np.argmax(x @ everything.T, axis=1)
        if _ > 0 and np.array_equal(new, labels):
            break
        labels = new
        for j in range(k):
            members = x[labels == j]
            if len(members):
                centre = members.sum(axis=0)
                free[j] = centre / max(np.linalg.norm(centre), 1e-9)
    return labels


def silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette on cosine distance (1 - cosine); 0 when there is a single group."""
    groups = np.unique(labels)
    if len(groups) < 2:
        return 0.0
    distance = 1 - x @ x.T
    mean_to = np.stack([distance[:, labels == g].mean(axis=1) for g in groups], axis=1)
    own = np.searchsorted(groups, labels)
    sizes = np.array([(labels == g).sum() for g in groups])
    a = mean_to[np.arange(len(x)), own] * sizes[own] / np.maximum(sizes[own] - 1, 1)
    mean_to[np.arange(len(x)), own] = np.inf
    b = mean_to.min(axis=1)
    s = (b - a) / np.maximum(np.maximum(a, b), 1e-9)
    s[sizes[own] == 1] = 0.0
    return float(s.mean())


def group(
    x: np.ndarray, *, pinned: np.ndarray | None = None, k: int | None = None, max_k: int = MAX_K
) -> tuple[np.ndarray, np.ndarray]:
    """Labels for the rows of ``x`` and the groups' centres. Labels ``0..len(pinned)-1`` are the
    pinned centres (in their order, unchanged); the others are new groups."""
    pinned = np.zeros((0, x.shape[1]), dtype=x.dtype) if pinned is None else pinned
    labels = np.full(len(x), -1)
    if len(pinned) and len(x):
        sims = x @ pinned.T
        best = sims.argmax(axis=1)
        near = sims[np.arange(len(x)), best] >= PINNED_MIN_SIMILARITY
        labels[near] = best[near]
    rest = np.flatnonzero(labels < 0)
    centres = [*pinned]
    if len(rest):
        sub = x[rest]
        rng = np.random.default_rng(SEED)
        choices = [k] if k else list(range(2, min(max_k, max(2, len(rest) // 4)) + 1))
        best_labels, best_score = np.zeros(len(rest), dtype=int), -2.0
        for candidate in choices:
            if candidate >= len(rest):
                break
            found = _kmeans(sub, candidate, fixed=np.zeros((0, x.shape[1])), rng=rng)
            score = silhouette(sub, found)
            if score > best_score:
                best_labels, best_score = found, score
        for j in np.unique(best_labels):
            members = sub[best_labels == j]
            centre = members.sum(axis=0)
            labels[rest[best_labels == j]] = len(centres)
            centres.append(centre / max(np.linalg.norm(centre), 1e-9))
    return labels, (np.array(centres) if centres else np.zeros((0, x.shape[1])))


def words(text: str) -> list[str]:
    """The words of a text as a person reads them: Chinese runs cut by jieba, Latin words whole."""
    out: list[str] = []
    jieba = __import__("jieba") if warm_up() else None
    for run in _WORDS.findall(normalize(text or "")):
        if run[0].isascii():
            parts = [run.strip("'-")]
        elif jieba is not None:
            parts = [w for w in jieba.cut(run) if w.strip()]
        else:
            parts = [run[i : i + 2] for i in range(max(1, len(run) - 1))]
        out.extend(w for w in parts if len(w) > 1 and w not in STOPWORDS and w not in EXTRA_STOPWORDS)
    return out


def telling_words(texts: Sequence[str], labels: Sequence[int], *, top: int = 3) -> dict[int, list[str]]:
    """For each group, the ``top`` words most frequent in it and rare elsewhere (class TF-IDF)."""
    counts: dict[int, Counter] = {}
    for text, label in zip(texts, labels, strict=True):
        counts.setdefault(int(label), Counter()).update(set(words(text)))
    groups = len(counts)
    spread = Counter(w for c in counts.values() for w in c)
    result = {}
    for label, c in counts.items():
        size = sum(1 for lab in labels if lab == label) or 1
        scored = sorted(((n / size) * math.log(1 + groups / spread[w]), w) for w, n in c.items() if n >= min(2, size))
        result[label] = [w for _, w in reversed(scored[-top:])]
    return result


def adjusted_rand_index(truth: Sequence[object], found: Sequence[object]) -> float:
    """Agreement of two groupings of the same items (1: identical; about 0: chance)."""
    _, a = np.unique(np.asarray(truth, dtype=str), return_inverse=True)
    _, b = np.unique(np.asarray(found, dtype=str), return_inverse=True)
    table = np.zeros((a.max() + 1, b.max() + 1), dtype=np.int64)
    np.add.at(table, (a, b), 1)

    def pairs(v: np.ndarray) -> float:
        return float((v * (v - 1) // 2).sum())

    index, rows, cols, total = pairs(table), pairs(table.sum(1)), pairs(table.sum(0)), pairs(np.array([len(a)]))
    expected = rows * cols / total if total else 0.0
    most = (rows + cols) / 2
    return 1.0 if most == expected else (index - expected) / (most - expected)
