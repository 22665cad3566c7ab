"""Running RTT statistics in constant memory (Welford's mean and variance, jitter as mtr defines it)."""

from __future__ import annotations

import math
from dataclasses import dataclass

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
        self.last = rtt_ms

    def summary(self) -> RttSummary:
        if self.count == 0:
            return RttSummary()
        stdev = math.sqrt(self.m2 / (self.count - 1)) if self.count > 1 else 0.0
        jitter_avg = self.jitter_sum / self.jitter_count if self.jitter_count else None
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
        )
