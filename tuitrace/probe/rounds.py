"""Round pacing: when the next round starts, when each probe of a round may leave, pause and resume.

Split from the tracer so that the timing rules are one small object with its own tests, apart from what a
probe is (the tracer), what a reply means (matching) and what a result says about the path (the path
learner). Sans-I/O like the tracer: the time comes in as nanoseconds, nothing here sleeps.

The rules: a round starts every ``interval``; its probes leave at once, or one per ``sendwait`` when that
is set; a new round waits until the previous one has left. A protocol switch, a reset or a resume starts a
round at once; a shorter interval brings the next round forward, a longer one never delays a round already
due.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from tuitrace.probe.types import Probe

NS = 1_000_000_000


class RoundClock:
    __slots__ = ("_gap_ns", "_interval_ns", "_next_round_ns", "_next_send_ns", "paused", "queue")

    def __init__(self, interval: float, sendwait: float) -> None:
        self._interval_ns = int(interval * NS)
        self._gap_ns = int(sendwait * NS)
        self._next_round_ns: int | None = None
        """``None`` until ``start``."""
        self._next_send_ns = 0
        self.paused = False
        self.queue: deque[Probe] = deque()
        """Probes of the current round that have not left yet."""

    def start(self, now_ns: int) -> None:
        if self._next_round_ns is None:
            self._next_round_ns = now_ns

    def round_due(self, now_ns: int) -> bool:
        """A new round may start now (the tracer adds its own limit: the round count)."""
        next_round = self._next_round_ns
        return not self.queue and not self.paused and next_round is not None and now_ns >= next_round

    def begin_round(self, now_ns: int, probes: Iterable[Probe]) -> None:
        self._next_round_ns = now_ns + self._interval_ns
        self._next_send_ns = now_ns
        self.queue.extend(probes)

    def due(self, now_ns: int) -> list[Probe]:
        """The queued probes that may leave now."""
        queue = self.queue
        if not queue or now_ns < self._next_send_ns:
            return []
        gap = self._gap_ns
        if gap:  # sendwait: at most one probe per gap
            self._next_send_ns = now_ns + gap
            return [queue.popleft()]
        due = list(queue)
        queue.clear()
        return due

    def deadline(self, more_rounds: bool) -> int | None:
        """When ``due`` or ``round_due`` next has something to say; ``None``: only a command can."""
        if self.queue:
            return self._next_send_ns
        if more_rounds and not self.paused:
            return self._next_round_ns
        return None

    def restart(self, now_ns: int) -> None:
        """Drop what is queued and start a round at once (a protocol switch, a reset)."""
        self.queue.clear()
        if self._next_round_ns is not None:
            self._next_round_ns = now_ns

    def pause(self) -> None:
        self.paused = True
        self.queue.clear()

    def resume(self, now_ns: int) -> None:
        if self.paused:
            self.paused = False
            if self._next_round_ns is not None:
                self._next_round_ns = now_ns

    def set_interval(self, seconds: float, now_ns: int) -> None:
        if not seconds > 0:
            raise ValueError("interval must be positive")
        self._interval_ns = int(seconds * NS)
        if self._next_round_ns is not None:
            self._next_round_ns = min(self._next_round_ns, now_ns + self._interval_ns)

    def set_sendwait(self, seconds: float) -> None:
        self._gap_ns = int(max(0.0, seconds) * NS)
