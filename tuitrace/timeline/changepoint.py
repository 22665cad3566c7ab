"""RTT level shifts: a two-sided CUSUM over one hop's RTTs, robust to single spikes.

A hop's RTT is noisy and heavy-tailed (a router that answers from its slow path now and then), so a rule
that fires on one large value would report every spike. CUSUM adds up how far each sample lies from the
baseline level, less an allowance, and fires only when the sum passes a threshold. Each sample is first
standardised against the baseline (median and MAD of the first ``BASELINE_SAMPLES`` answers), clipped
to ``CLIP`` standard deviations and centred by the baseline's own mean clipped value (RTT noise is skewed:
without that, a median-centred sum drifts upward), so one spike adds at most ``CLIP - ALLOWANCE`` = 2 to
a threshold of 15: at least eight samples in a row beyond the level are needed. The baseline's spread is
floored at 5% of its level, so a shift of a few percent of the RTT is never reported.

False alarm rate: under one per 10,000 samples of stationary noise (normal, log-normal, or exponential
with 10% large spikes), checked with seeded noise in the unit tests; at one round a second, under one
false report per hop per 2.7 hours. A shift of three standard deviations is found after about eight
samples. After a shift the baseline is learned again from the samples that follow (memory: at most
``BASELINE_SAMPLES`` floats per hop).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

BASELINE_SAMPLES = 50
ALLOWANCE = 0.5
"""CUSUM's k, in standard deviations: smaller deviations do not accumulate."""
THRESHOLD = 15.0
"""CUSUM's h, in standard deviations."""
CLIP = 2.5
SPREAD_FLOOR = 0.05
"""The baseline's standard deviation is at least this share of its level..."""
SPREAD_FLOOR_MS = 0.05
"""...and at least this many milliseconds (a simulated hop has no jitter at all)."""
RECENT_SAMPLES = 8
"""The new level is the median of the last few samples (the run since the sum left zero may hold older
ones: noise can start it a few samples early)."""


@dataclass(frozen=True, slots=True)
class Shift:
    since_ns: int
    """When the new level began: the first sample of the run that crossed the threshold (noise can start
    that run a few samples early)."""
    before_ms: float
    after_ms: float


@dataclass(slots=True)
class _Side:
    """One direction of the CUSUM: its sum, and when it last left zero."""

    total: float = 0.0
    since_ns: int = 0

    def add(self, z: float, at_ns: int) -> bool:
        """Add one standardised sample; ``True`` when the sum passed the threshold."""
        if self.total == 0.0:
            self.since_ns = at_ns
        total = self.total + z - ALLOWANCE
        self.total = total if total > 0.0 else 0.0
        return total > THRESHOLD


class RttShiftDetector:
    __slots__ = ("_baseline", "_down", "_level", "_offset", "_recent", "_spread", "_up")

    def __init__(self) -> None:
        self._baseline: list[float] = []
        self._level = 0.0
        self._spread = 0.0
        self._offset = 0.0
        self._recent: deque[float] = deque(maxlen=RECENT_SAMPLES)
        self._up = _Side()
        self._down = _Side()

    def add(self, rtt_ms: float, at_ns: int) -> Shift | None:
        """Take one RTT; a ``Shift`` when the level has moved (then the baseline starts over)."""
        self._recent.append(rtt_ms)
        if self._spread == 0.0:
            self._learn(rtt_ms)
            return None
        z = (rtt_ms - self._level) / self._spread
        z = (CLIP if z > CLIP else -CLIP if z < -CLIP else z) - self._offset
        up, down = self._up, self._down
        if up.add(z, at_ns):
            return self._shifted(up)
        if down.add(-z, at_ns):
            return self._shifted(down)
        return None

    def _shifted(self, side: _Side) -> Shift:
        shift = Shift(side.since_ns, self._level, _median(list(self._recent)))
        self.restart()
        return shift

    def restart(self) -> None:
        """Forget the level (the responder changed: its RTT is another story)."""
        self._baseline.clear()
        self._recent.clear()
        self._level = self._spread = self._offset = 0.0
        self._up, self._down = _Side(), _Side()

    def _learn(self, rtt_ms: float) -> None:
        baseline = self._baseline
        baseline.append(rtt_ms)
        if len(baseline) < BASELINE_SAMPLES:
            return
        level = _median(baseline)
        mad = _median([abs(v - level) for v in baseline])
        self._level = level
        self._spread = max(1.4826 * mad, SPREAD_FLOOR * level, SPREAD_FLOOR_MS)
        self._offset = sum(self._clipped(v) for v in baseline) / len(baseline)
        baseline.clear()

    def _clipped(self, rtt_ms: float) -> float:
        return max(-CLIP, min(CLIP, (rtt_ms - self._level) / self._spread))


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
