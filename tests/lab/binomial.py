"""Acceptance bounds for a loss count, from the binomial distribution.

A hop that drops each reply with probability p shows a random number of losses; a test asserting "close to
30 %" needs bounds that a correct tool stays inside except with a negligible probability, rather than a
tolerance picked by eye.
"""

from __future__ import annotations

import math


def binomial_bounds(n: int, p: float, alpha: float = 1e-6) -> tuple[int, int]:
    """Smallest ``lo`` and largest ``hi`` with P(X < lo) <= alpha/2 and P(X > hi) <= alpha/2, X ~ B(n, p)."""
    if n <= 0 or not 0.0 <= p <= 1.0:
        raise ValueError("need n > 0 and 0 <= p <= 1")
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    lo, tail = 0, 0.0
    while lo < n and tail + pmf[lo] <= alpha / 2:
        tail += pmf[lo]
        lo += 1
    hi, tail = n, 0.0
    while hi > 0 and tail + pmf[hi] <= alpha / 2:
        tail += pmf[hi]
        hi -= 1
    return lo, hi
