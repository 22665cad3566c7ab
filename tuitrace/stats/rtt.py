"""Running RTT statistics in constant memory (Welford's mean and variance, jitter as mtr defines it, the
geometric mean from a running sum of logarithms, median and p95 from a bounded sketch)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tuitrace.stats.sketch import FLOOR_MS, QuantileSketch
from tuitrace.stats.snapshot import RttSummary


@dataclass(slots=True)
class RttAccumulator:
    count: int = 0
    mean: float = 0.0
    m2: float = 0.0
    best: float = math.inf
    worst: float = 0.0
    last: float | None = None
    jitter: float | None = None
    jitter_sum: float = 0.0
    jitter_count: int = 0
    jitter_max: float = 0.0
    jitter_interarrival: float = 0.0
    """RFC 3550's smoothed jitter (mtr's ``I``): moves 1/16 of the way to each new |difference|."""
    log_sum: float = 0.0
    sketch: QuantileSketch = field(default_factory=QuantileSketch)

    def add(self, rtt_ms: float) -> None:
        self.count += 1
        delta = rtt_ms - self.mean
        self.mean += delta / self.count
        self.m2 += delta * (rtt_ms - self.mean)
        self.best = min(self.best, rtt_ms)
        self.worst = max(self.worst, rtt_ms)
        if self.last is not None:
            jitter = abs(rtt_ms - self.last)
            self.jitter = jitter
            self.jitter_sum += jitter
            self.jitter_count += 1
            self.jitter_max = max(self.jitter_max, jitter)
            self.jitter_interarrival += (jitter - self.jitter_interarrival) / 16
        self.last = rtt_ms
        self.log_sum += math.log(max(rtt_ms, FLOOR_MS))
        self.sketch.add(rtt_ms)

    def summary(self) -> RttSummary:
        if self.count == 0:
            return RttSummary()
        stdev = math.sqrt(self.m2 / (self.count - 1)) if self.count > 1 else 0.0
        jitter_avg = self.jitter_sum / self.jitter_count if self.jitter_count else None
        median, p95 = self.sketch.median_and_p95()
        return RttSummary(
            count=self.count,
            last_ms=self.last,
            avg_ms=self.mean,
            best_ms=self.best,
            worst_ms=self.worst,
            stdev_ms=stdev,
            jitter_ms=self.jitter,
            jitter_avg_ms=jitter_avg,
            jitter_max_ms=self.jitter_max if self.jitter_count else None,
            jitter_interarrival_ms=self.jitter_interarrival if self.jitter_count else None,
            geomean_ms=math.exp(self.log_sum / self.count),
            median_ms=median,
            p95_ms=p95,
        )
