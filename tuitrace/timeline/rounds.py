"""Rounds as they complete: the results of one round gathered, for a stream of one line per round.

The results of a round arrive spread out and interleaved with other rounds' (an answer after its RTT, a
loss after the whole wait). A round is complete when every probe it sent has resolved, which is at most
``settle`` after it started (its probes all left within the sendwaits of one round, and each resolves
within the wait); the engine gives ``settle`` as wait plus a round's sendwaits. Its start is known from any
one result (arrival less RTT, or less the wait), so rounds complete in the order they started. Results beyond
the path's end never come, so waiting for a count of them would never end. Memory: at most
``PENDING_ROUNDS`` rounds are held; beyond that the oldest is let go as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuitrace.config import Setting
from tuitrace.probe.types import Outcome, ProbeResult

PENDING_ROUNDS = 64


@dataclass(frozen=True, slots=True)
class RoundHop:
    ttl: int
    outcome: Outcome
    address: str | None
    rtt_ms: float | None
    annotation: str | None


@dataclass(frozen=True, slots=True)
class RoundRecord:
    round: int
    setting: Setting
    started_ns: int
    """When its first probe left (estimated: the earliest result's arrival less its RTT or the wait)."""
    hops: tuple[RoundHop, ...]
    """In TTL order."""


@dataclass(slots=True)
class _Pending:
    started_ns: int
    hops: dict[int, RoundHop]


class RoundAssembler:
    def __init__(self, wait_ns: int) -> None:
        self._wait_ns = wait_ns
        self._pending: dict[tuple[Setting, int], _Pending] = {}

    def add(self, result: ProbeResult, seen_ns: int) -> None:
        key = (result.setting, result.round)
        back = result.rtt_ns if result.rtt_ns is not None else self._wait_ns
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending(seen_ns - back, {})
        pending.started_ns = min(pending.started_ns, seen_ns - back)
        rtt = None if result.rtt_ns is None else round(result.rtt_ns / 1e6, 3)
        hop = RoundHop(result.ttl, result.outcome, result.responder, rtt, result.annotation)
        pending.hops[result.ttl] = hop

    def complete(self, now_ns: int, settle_ns: int) -> list[RoundRecord]:
        """The rounds whose every probe has resolved by ``now_ns``, oldest first."""
        done = [key for key, p in self._pending.items() if p.started_ns + settle_ns <= now_ns]
        excess = len(self._pending) - len(done) - PENDING_ROUNDS
        if excess > 0:
            waiting = sorted((p.started_ns, key) for key, p in self._pending.items() if key not in done)
            done.extend(key for _, key in waiting[:excess])
        return self._take(done)

    def flush(self) -> list[RoundRecord]:
        """Every round held, complete or not (the trace ended)."""
        return self._take(list(self._pending))

    def _take(self, keys: list[tuple[Setting, int]]) -> list[RoundRecord]:
        records = []
        for key in keys:
            pending = self._pending.pop(key)
            hops = tuple(pending.hops[ttl] for ttl in sorted(pending.hops))
            records.append(RoundRecord(key[1], key[0], pending.started_ns, hops))
        records.sort(key=lambda record: (record.started_ns, record.round))
        return records
