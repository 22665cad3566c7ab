"""Path-length learning: how far to probe, where the path ends on screen, and whether the destination answers.

Kept apart from the tracer's scheduling and matching because it is the one place that decides what a result
*means* for the path, and because its edge cases (an outage, a route change, a rate-limited ``!X``) are
easiest to test one event at a time. Two lengths are kept, on purpose apart:

* the **horizon** is how far each round probes. It is ``None`` (probe up to ``max_ttl``) until a final
  answer comes, and again after a router answered at or beyond it or after the end went silent for
  ``SILENT_ROUNDS`` rounds in a row: that is *rediscovery*.
* the **end** is where the path ends as shown and reported: the lowest TTL of a final answer (reached,
  ``!X``, ``!H``, ``!N``...), as traceroute and mtr end their output there. Rediscovery does not move it:
  answers beyond it (the destination answering a probe that had TTL to spare, a rejecting router answering
  every TTL past it) are rediscovery results, not hops, and are dropped. It moves only on evidence: a final
  answer below it (the path got shorter), a router answering at or beyond it (the path got longer), or the
  end silent while a farther TTL kept giving the final answer for ``SILENT_ROUNDS`` rounds (the path got
  longer behind a router that does not answer).

``reached`` says whether the destination answers *now*: it turns true when the destination answers at the
end, and false again when the end has missed ``SILENT_ROUNDS`` probes in a row or gives a final answer that
is not the destination's (an ``!X`` where the destination used to answer). A destination that answered
early and then went silent for good is therefore reported as not reached; its row still shows what it did.
Only results the display keeps count toward any of this, so an invented row can never make it true.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tuitrace.probe.types import Outcome

SILENT_ROUNDS = 5
"""Probes in a row that must go unanswered at the end (or the horizon) before anything is concluded."""


class Fate(enum.IntEnum):
    """What to do with one result."""

    DROP = 0
    """A rediscovery result beyond the end: not a hop, not shown, not counted."""
    KEEP = 1
    """A hop result."""
    KEEP_AND_TRIM = 2
    """A hop result that found the end: rows beyond its TTL were recorded while looking for it (losses
    past the end, the destination answering a farther probe of the same round first) and hold no hop."""


@dataclass(slots=True)
class PathState:
    """What the tracer knows about the path under one setting."""

    rounds: int = 0
    horizon: int | None = None
    """Rounds probe up to this TTL; ``None``: up to ``max_ttl`` (discovering or rediscovering)."""
    end: int | None = None
    """The TTL where the path ends as shown (lowest final answer); ``None`` while no final answer came."""
    reached: bool = False
    """The destination answers at the end (see the module docstring)."""
    highest_answer: int = 0
    """The highest TTL that answered as a hop (never beyond ``end``)."""
    silent_rounds: int = 0
    """Unanswered probes in a row at the horizon."""
    end_misses: int = 0
    """Unanswered probes in a row at the end."""
    horizon_finals: int = 0
    """Final answers in a row at a horizon beyond the end (the path may have grown behind a silent hop)."""
    end_round: int = 0
    """The round whose result set the end."""

    def last_shown(self, first_ttl: int, max_ttl: int) -> int:
        """Up to the end when known; otherwise one TTL past the highest that answered (that ``*`` is where
        the path goes dark), never beyond ``max_ttl``."""
        if self.end is not None:
            return max(first_ttl, self.end)
        return min(max_ttl, max(first_ttl, self.highest_answer + 1))


def learn(state: PathState, ttl: int, outcome: Outcome, max_ttl: int, number: int) -> Fate:
    """Update ``state`` with one result (of round ``number``) and say whether it is a hop."""
    if outcome is _TIME_EXCEEDED:
        return _router_answered(state, ttl)
    if outcome is _LOST:
        return _lost(state, ttl, max_ttl)
    return _final(state, ttl, outcome, number)


def _router_answered(state: PathState, ttl: int) -> Fate:
    horizon, end = state.horizon, state.end
    if horizon is not None and ttl >= horizon:  # the path grew: look again up to max_ttl
        state.horizon = None
        state.silent_rounds = 0
    if end is not None and ttl >= end:  # a router answers where the path used to end
        state.end = None
        state.end_misses = 0
    state.highest_answer = max(state.highest_answer, ttl)
    return _KEEP


def _lost(state: PathState, ttl: int, max_ttl: int) -> Fate:
    horizon, end = state.horizon, state.end
    if horizon is not None and ttl == horizon:
        state.horizon_finals = 0
        state.silent_rounds += 1
        if state.silent_rounds >= SILENT_ROUNDS and horizon < max_ttl:
            state.horizon = None  # the end went quiet: maybe the route changed, look again
            state.silent_rounds = 0
    if end is None or ttl < end:
        return _KEEP
    if ttl > end:
        return _DROP
    state.end_misses += 1
    if state.end_misses >= SILENT_ROUNDS:
        state.reached = False
        horizon = state.horizon
        if horizon is not None and horizon > end and state.horizon_finals >= SILENT_ROUNDS:
            state.end = horizon  # the path grew behind a hop that does not answer
            state.end_misses = 0
    return _KEEP


def _final(state: PathState, ttl: int, outcome: Outcome, number: int) -> Fate:
    horizon, end = state.horizon, state.end
    if horizon is None or ttl < horizon:
        state.horizon = ttl
        state.horizon_finals = 0
    if ttl == state.horizon:
        state.silent_rounds = 0
    if end is not None and ttl > end:  # answered with TTL to spare: rediscovery, not a hop
        if ttl == state.horizon:
            state.horizon_finals += 1
        return _DROP
    state.end_misses = 0
    state.reached = outcome is _REACHED
    state.highest_answer = max(state.highest_answer, ttl)
    if end is not None and ttl == end:
        return _KEEP
    state.end = ttl
    state.highest_answer = min(state.highest_answer, ttl)
    if end is None or number == state.end_round:
        state.end_round = number
        return _KEEP_AND_TRIM
    # A later round ends the path lower (a shorter route, a local !H in an outage): the rows beyond were
    # real hops; they are hidden, and show again with their history if the path comes back.
    state.end_round = number
    return _KEEP


# Enum members are properties of their class in Python 3.11: plain names are cheaper on the hot path.
_REACHED, _TIME_EXCEEDED, _LOST = Outcome.REACHED, Outcome.TIME_EXCEEDED, Outcome.LOST
_DROP, _KEEP, _KEEP_AND_TRIM = Fate.DROP, Fate.KEEP, Fate.KEEP_AND_TRIM
