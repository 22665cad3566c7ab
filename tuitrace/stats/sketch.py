"""Median and 95th percentile of RTTs in bounded, constant memory, however long the session runs.

An exact percentile needs every sample; a week at one probe a second is 600,000 of them per hop. This is a
log-bucket histogram (the idea behind DDSketch): a sample ``x`` is counted in bucket ``ceil(log(x) / log(g))``
with ``g = (1 + a) / (1 - a)``, and a bucket is read back as the value ``2 g^i / (g + 1)``, which lies within
a relative ``a`` of every value the bucket holds.

**Error.** With ``RELATIVE_ERROR`` ``a = 0.01``, ``quantile(q)`` returns a value within 1 % (relative) of
the sample of rank ``ceil(q * n)`` among the ``n`` samples (the nearest-rank percentile): for a true median
of 20.0 ms, something in [19.8, 20.2] ms. Samples below ``FLOOR_MS`` (1 µs) count as ``FLOOR_MS`` and
samples above ``CEILING_MS`` as ``CEILING_MS``, so at most ``MAX_BUCKETS`` (1,037) counters exist
whatever the input; a hop whose RTTs stay within a factor of two uses about 35.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

RELATIVE_ERROR = 0.01
"""Largest relative error of a quantile, against the nearest-rank sample."""
FLOOR_MS = 0.001
CEILING_MS = 1_000_000.0
"""Above any RTT a probe can have (``-w`` is at most 60 s): a guard, not a limit anyone meets."""

_GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)
_LOG_GAMMA = math.log(_GAMMA)
_LOWEST = math.ceil(math.log(FLOOR_MS) / _LOG_GAMMA)
_HIGHEST = math.ceil(math.log(CEILING_MS) / _LOG_GAMMA)
MAX_BUCKETS = _HIGHEST - _LOWEST + 1
"""The most counters one sketch can hold."""


def bucket_of(value_ms: float) -> int:
    """The bucket that counts ``value_ms`` (clamped to [``FLOOR_MS``, ``CEILING_MS``])."""
    clamped = min(max(value_ms, FLOOR_MS), CEILING_MS)
    return min(max(math.ceil(math.log(clamped) / _LOG_GAMMA), _LOWEST), _HIGHEST)


def bucket_value(index: int) -> float:
    """The value a bucket stands for: within ``RELATIVE_ERROR`` of everything it counts."""
    return 2 * _GAMMA**index / (_GAMMA + 1)


@dataclass(slots=True)
class QuantileSketch:
    """Counts of samples per log bucket; ``quantile`` reads a percentile back (see the module's error)."""

    counts: dict[int, int] = field(default_factory=dict)
    total: int = 0
    _cache: tuple[int, float | None, float | None] = (0, None, None)
    """``(total, median, p95)`` as last computed, so a snapshot with no new sample sorts nothing."""

    def add(self, value_ms: float) -> None:
        index = bucket_of(value_ms)
        counts = self.counts
        counts[index] = counts.get(index, 0) + 1
        self.total += 1

    def quantile(self, q: float) -> float | None:
        """The ``q``-quantile (0 < q ≤ 1) by nearest rank, within ``RELATIVE_ERROR``; ``None`` when empty."""
        if self.total == 0:
            return None
        rank = max(1, math.ceil(q * self.total))
        seen = 0
        for index in sorted(self.counts):
            seen += self.counts[index]
            if seen >= rank:
                return bucket_value(index)
        return bucket_value(max(self.counts))  # q > 1: the largest

    def median_and_p95(self) -> tuple[float | None, float | None]:
        """Both percentiles the hop table shows, computed once per new sample count."""
        total, median, p95 = self._cache
        if total != self.total:
            median, p95 = self.quantile(0.5), self.quantile(0.95)
            self._cache = (self.total, median, p95)
        return median, p95
