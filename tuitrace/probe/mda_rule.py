"""The MDA stopping rule as pure arithmetic: how many flows rule out one more next hop, at which level each
test runs so that the confidence holds for a whole run, and how often the rule misses a stage.

Kept apart from the discovery machine (:mod:`tuitrace.probe.mda`) so that the numbers a user is promised
can be read, tested and used by the bench without the machine. The reasoning is in that module's
docstring and in :func:`run_level`.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction


def failure_probability(hops: int, flows: int) -> Fraction:
    """The probability that ``flows`` flows, each on one of ``hops`` equally likely next hops, miss at least
    one of them (inclusion-exclusion, exact)."""
    return sum(
        (
            (-1) ** (j + 1) * math.comb(hops, j) * Fraction(hops - j, hops) ** flows
            for j in range(1, hops)
        ),
        start=Fraction(0),
    )


@functools.cache
def stopping_point_at(seen: int, alpha: Fraction) -> int:
    """n_k: flows to send through an interface with ``seen`` known next hops before ruling out one more, so
    that a (``seen`` + 1)-way split would have shown all its next hops but with probability ``alpha``."""
    flows = seen
    while failure_probability(seen + 1, flows) > alpha:
        flows += 1
    return flows


def stopping_point(seen: int, confidence: int) -> int:
    """n_k at ``confidence`` per step (the published table; scamper's ``tracelb -c``)."""
    return stopping_point_at(seen, Fraction(100 - confidence, 100))


def miss_probability(ways: int, alpha: Fraction) -> Fraction:
    """The chance that the rule at level ``alpha``, sending flows one by one through an interface that
    splits them evenly over ``ways`` next hops, stops before it has seen them all (exact: a Markov chain
    over the number seen). The bench and the tests compare it with what the lab shows."""
    chances = {1: Fraction(1)}  # after one flow, one next hop seen
    flows, missed = 1, Fraction(0)
    while chances:
        following: dict[int, Fraction] = {}
        for seen, chance in chances.items():
            if flows >= stopping_point_at(seen, alpha):
                missed += chance if seen < ways else 0
                continue
            following[seen] = following.get(seen, Fraction(0)) + chance * Fraction(seen, ways)
            if seen < ways:
                new = chance * Fraction(ways - seen, ways)
                following[seen + 1] = following.get(seen + 1, Fraction(0)) + new
        chances, flows = following, flows + 1
    return missed


def run_level(alpha: Fraction, branching_before: int, tested: int = 1) -> Fraction:
    """The level of one test when the whole run may miss something with probability ``alpha`` at most.

    Failure is only possible at a TTL whose hop truly branches. The tests at a TTL use alpha / 2^(b + 1),
    b being the TTLs before it that showed two interfaces or more: if nothing was missed before the i-th
    branching TTL, b >= i - 1 there, so a miss there has probability at most alpha / 2^i, and the misses
    of a run add up to alpha / 2 + alpha / 4 + ... < alpha (a union bound). ``tested`` interfaces tested
    apart at one TTL (full MDA) share that TTL's share equally."""
    return alpha / Fraction(2 ** (branching_before + 1) * tested)
