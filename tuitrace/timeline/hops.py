"""Per-hop state of the event detector: results back in round order, and what the hop has shown so far.

Results reach the engine in the order they resolve, not the order their probes left: an answer resolves
after its RTT, a loss only after the whole wait, so with rounds closer together than the wait, a later
round's answer is seen before an earlier round's loss. A run of losses can only be counted in round order,
so each hop holds results back until the rounds before them are in (``RoundOrder``). A round that never
comes (its probe was voided by a reset, or dropped beyond the path's end) is given up once a later result
has waited longer than the wait: by then every earlier probe has resolved. Everything here is bounded per
hop: ``PENDING_LIMIT`` held results, ``ADDRESS_LIMIT`` remembered responders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from tuitrace.probe.types import ProbeResult
from tuitrace.timeline.changepoint import RttShiftDetector

PENDING_LIMIT = 256
ADDRESS_LIMIT = 16


class Timed(NamedTuple):
    """One result with its times (a named tuple: one is made per probe, and it is built in one step)."""

    result: ProbeResult
    sent_ns: int
    """When the probe left (estimated: the time it resolved less its RTT, or less the wait if lost)."""
    seen_ns: int
    """When the engine collected it."""


class RoundOrder:
    """Releases one hop's results in round order."""

    __slots__ = ("_expected", "_pending")

    def __init__(self) -> None:
        self._expected: int | None = None
        self._pending: dict[int, Timed] = {}

    def push(self, item: Timed, now_ns: int, wait_ns: int) -> list[Timed]:
        number = item.result.round
        if self._expected is None:
            self._expected = number
        if number == self._expected and not self._pending:  # the usual case: nothing held, next in line
            self._expected = number + 1
            return [item]
        if number < self._expected:  # its round was given up on: too late to place, and already decided
            return []
        self._pending[number] = item
        return self._release(now_ns, wait_ns)

    def flush(self) -> list[Timed]:
        """Everything held, in round order (the trace ended)."""
        released = [self._pending[n] for n in sorted(self._pending)]
        self._pending.clear()
        return released

    def _release(self, now_ns: int, wait_ns: int) -> list[Timed]:
        pending, released = self._pending, []
        while pending:
            expected = self._expected
            assert expected is not None
            item = pending.pop(expected, None)
            if item is None:
                oldest = min(pending)
                if len(pending) < PENDING_LIMIT and pending[oldest].seen_ns + wait_ns >= now_ns:
                    break  # an earlier round may still resolve
                expected = oldest
                item = pending.pop(oldest)
            released.append(item)
            self._expected = expected + 1
        return released


@dataclass(slots=True)
class HopState:
    order: RoundOrder = field(default_factory=RoundOrder)
    answers: int = 0
    """Answers seen at this hop (in round order)."""
    probes: int = 0
    addresses: dict[str, None] = field(default_factory=dict)
    """Responders seen here (classic UDP), first seen first; at most ``ADDRESS_LIMIT``, the oldest go."""
    current: str | None = None
    """With a fixed flow: the responder the route goes through."""
    candidate: str | None = None
    candidate_count: int = 0
    candidate_ns: int = 0
    last_address: str | None = None
    loss_streak: int = 0
    streak_round: int = 0
    streak_ns: int = 0
    last_loss_ns: int = 0
    gone: bool = False
    rtt: RttShiftDetector = field(default_factory=RttShiftDetector)

    def remember(self, address: str) -> bool:
        """Note ``address`` as seen here; ``True`` when it had not been seen (among the last few)."""
        addresses = self.addresses
        if address in addresses:
            return False
        if len(addresses) >= ADDRESS_LIMIT:
            del addresses[next(iter(addresses))]
        addresses[address] = None
        return True
