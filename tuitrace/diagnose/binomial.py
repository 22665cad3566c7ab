"""Exact one-sided binomial tests, so a loss finding rests on the sample size and not on one bad round.

Computed in log space with ``math.lgamma`` so thousands of probes neither overflow nor underflow.
"""

from __future__ import annotations

import math


def _log_pmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    log_choose = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return log_choose + k * math.log(p) + (n - k) * math.log1p(-p)


def at_least(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p): how surprising ``k`` or more losses are if the loss rate is ``p``."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return min(1.0, sum(math.exp(_log_pmf(i, n, p)) for i in range(k, n + 1)))


def at_most(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p): how surprising so few losses are if the loss rate is ``p``."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return min(1.0, sum(math.exp(_log_pmf(i, n, p)) for i in range(k + 1)))


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def loses_more(lost_a: int, sent_a: int, lost_b: int, sent_b: int) -> float:
    """Fisher's exact one-sided test: the p-value that ``a`` loses a larger share than ``b``.

    Small means "``a``'s extra loss is not chance", taking both sample sizes into account.
    """
    if sent_a <= 0 or sent_b <= 0:
        return 1.0
    total, lost = sent_a + sent_b, lost_a + lost_b
    low, high = max(0, sent_a - (total - lost)), min(lost, sent_a)
    base = _log_choose(total, sent_a)
    tail = sum(
        math.exp(_log_choose(lost, x) + _log_choose(total - lost, sent_a - x) - base)
        for x in range(max(lost_a, low), high + 1)
    )
    return min(1.0, tail)
