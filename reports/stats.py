"""The statistics the reports use, written out so that every figure can be checked by hand."""

from __future__ import annotations

import math

Z_95 = 1.959963984540054  # the normal quantile for a two-sided 95% interval


def wilson_interval(successes: float, n: float, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion: honest at small samples and near 0% or 100%.

    ``n`` may be fractional (an agent's share of split ratings). None for an empty sample.
    """
    if n <= 0:
        return None
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    margin = (z / (1 + z2 / n)) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - margin), min(1.0, centre + margin)


def nearest_rank(p: float, n: int) -> int:
    """The 0-based index of the p-th percentile (nearest-rank: the smallest value with at least
    p of the sample at or below it); the median of 1..10 is 5, the p90 is 9."""
    if n <= 0:
        raise ValueError("empty sample")
    return max(1, math.ceil(p * n)) - 1
