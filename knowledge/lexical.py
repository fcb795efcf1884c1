"""Keyword ranking (Okapi BM25) over segmented terms, and how much of a question the best match covers.

BM25 ranks; coverage (the share of the question's rare-word weight that an article contains)
says how much of the question the article speaks to, on a 0-1 scale that does not depend on how
many articles there are. A question about the weather has words no article has, so its coverage
stays low: that is the lexical half of telling an off-topic question apart.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

K1 = 1.2
B = 0.75


class Bm25:
    def __init__(self, documents: Sequence[Counter]) -> None:
        self.documents = list(documents)
        self.count = len(self.documents)
        self.lengths = [sum(d.values()) for d in self.documents]
        self.average = (sum(self.lengths) / self.count) if self.count else 0.0
        frequencies: Counter = Counter()
        for document in self.documents:
            frequencies.update(document.keys())
        self.idf = {term: self._idf(n) for term, n in frequencies.items()}
        self.unknown_idf = self._idf(0)

    def _idf(self, containing: int) -> float:
        return math.log(1 + (self.count - containing + 0.5) / (containing + 0.5))

    def scores(self, query_terms: Sequence[str]) -> list[float]:
        unique = set(query_terms)
        result = []
        for document, length in zip(self.documents, self.lengths, strict=True):
            score = 0.0
            norm = K1 * (1 - B + B * length / self.average) if self.average else K1
            for term in unique:
                tf = document.get(term)
                if tf:
                    score += self.idf[term] * tf * (K1 + 1) / (tf + norm)
            result.append(score)
        return result

    def coverage(self, query_terms: Sequence[str], index: int) -> float:
        """The share of the question's term weight (by rarity) that document ``index`` contains."""
        unique = set(query_terms)
        if not unique:
            return 0.0
        document = self.documents[index]
        total = sum(self.idf.get(t, self.unknown_idf) for t in unique)
        found = sum(self.idf[t] for t in unique if t in document)
        return found / total if total else 0.0
