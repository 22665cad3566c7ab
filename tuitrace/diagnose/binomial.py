"""Exact one-sided binomial tests, so a loss finding rests on the sample size and not on one bad round.

Computed in log space with ``math.lgamma`` so thousands of probes neither overflow nor underflow. The
distributions are unimodal, so a tail is summed from its start and stops once it is past the mode and a
term no longer changes the sum in double precision: a day of probes (n in the hundreds of thousands)
costs a few hundred terms per test, not n, and the live view runs the tests every second.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _log_pmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    return _log_choose(n, k) + k * math.log(p) + (n - k) * math.log1p(-p)


NEGLIGIBLE = 1e-17
"""A term below this share of the sum so far, past the mode, ends a tail (all later ones are smaller)."""


def _upper_tail(terms: Iterable[tuple[int, float]], mode: float) -> float:
    """Sum ``(i, term)`` in rising ``i`` until past ``mode`` a term is negligible against the sum."""
    total = 0.0
    for i, term in terms:
        total += term
        if i > mode and term <= total * NEGLIGIBLE:
            break
    return min(1.0, total)


def at_least(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p): how surprising ``k`` or more losses are if the loss rate is ``p``."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    terms = ((i, math.exp(_log_pmf(i, n, p))) for i in range(k, n + 1))
    return _upper_tail(terms, (n + 1) * p)


def loses_more(lost_a: int, sent_a: int, lost_b: int, sent_b: int) -> float:
    """Fisher's exact one-sided test: the p-value that ``a`` loses a larger share than ``b``.

    Small means "``a``'s extra loss is not chance", taking both sample sizes into account.
    """
    if sent_a <= 0 or sent_b <= 0:
        return 1.0
    total, lost = sent_a + sent_b, lost_a + lost_b
    low, high = max(0, sent_a - (total - lost)), min(lost, sent_a)
    base = _log_choose(total, sent_a)
    terms = ((x, math.exp(_log_choose(lost, x) + _log_choose(total - lost, sent_a - x) - base))
             for x in range(max(lost_a, low), high + 1))
    mode = (lost + 1) * (sent_a + 1) / (total + 2)
    return _upper_tail(terms, mode)
