"""The findings the live view shows, recomputed when the trace moved on and at most once a second.

The diagnosis rules run exact binomial tests whose cost grows with the probe count; the view refreshes
several times a second, and findings only change with new rounds. So they are computed again when the
setting changes (at once: a new protocol's findings must not show the old one's), or when a new round
is counted and ``MIN_SECONDS`` have passed since the last computation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tuitrace.diagnose.finding import Finding
from tuitrace.diagnose.rules import diagnose
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Event

MIN_SECONDS = 1.0


class FindingsFeed:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._key: object = None
        self._at = float("-inf")
        self.findings: tuple[Finding, ...] = ()
        self.computed = 0
        """How many times the rules ran (a test checks the throttle)."""

    def update(self, snapshot: TraceSnapshot, events: Sequence[Event] = ()) -> tuple[Finding, ...]:
        key = (snapshot.setting, snapshot.rounds, snapshot.reached, snapshot.path_length, len(snapshot.hops),
               len(events), events[-1] if events else None)
        if key == self._key:
            return self.findings
        now = self._clock()
        same_setting = isinstance(self._key, tuple) and self._key[0] == snapshot.setting
        if same_setting and now - self._at < MIN_SECONDS:
            return self.findings
        self._key, self._at = key, now
        self.findings = diagnose(snapshot, events)
        self.computed += 1
        return self.findings
