"""The percentile sketch keeps its stated error (1 % relative, nearest rank) in bounded memory."""

from __future__ import annotations

import math
import random

import pytest

from tuitrace.config import Protocol, Setting
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.report.model import HopReport
from tuitrace.stats.hop import HopStats
from tuitrace.stats.rtt import RttAccumulator
from tuitrace.stats.sketch import MAX_BUCKETS, RELATIVE_ERROR, QuantileSketch


def nearest_rank(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("shape", ["lognormal", "spiky", "lan"])
def test_median_and_p95_within_the_stated_error(seed: int, shape: str) -> None:
    rng = random.Random(seed)
    if shape == "lognormal":
        samples = [rng.lognormvariate(math.log(20), 0.6) for _ in range(5000)]
    elif shape == "spiky":
        samples = [rng.gauss(30, 1) if rng.random() > 0.1 else rng.uniform(200, 900) for _ in range(5000)]
    else:
        samples = [rng.uniform(0.04, 0.3) for _ in range(5000)]
    sketch = QuantileSketch()
    for value in samples:
        sketch.add(value)
    for q in (0.5, 0.95, 0.99):
        exact = nearest_rank(samples, q)
        estimate = sketch.quantile(q)
        assert estimate is not None
        assert abs(estimate - exact) <= RELATIVE_ERROR * exact * 1.0001, (q, estimate, exact)


def test_memory_stays_bounded_whatever_the_values() -> None:
    sketch = QuantileSketch()
    rng = random.Random(1)
    for _ in range(20000):
        sketch.add(10 ** rng.uniform(-9, 9))  # far outside any RTT, on both sides
    sketch.add(0.0)
    assert len(sketch.counts) <= MAX_BUCKETS
    assert sketch.total == 20001


def test_empty_sketch_has_no_percentile() -> None:
    assert QuantileSketch().quantile(0.5) is None
    assert RttAccumulator().summary().median_ms is None


def test_summary_carries_geometric_mean_median_p95_and_interarrival_jitter() -> None:
    acc = RttAccumulator()
    for value in (1.0, 10.0, 100.0, 10.0):
        acc.add(value)
    summary = acc.summary()
    assert summary.geomean_ms == pytest.approx(10.0)
    assert summary.median_ms == pytest.approx(10.0, rel=RELATIVE_ERROR)
    assert summary.p95_ms == pytest.approx(100.0, rel=RELATIVE_ERROR)
    # |diffs| 9, 90, 90: J = 9/16, then + (90 - J)/16 twice
    j = 9 / 16
    j += (90 - j) / 16
    j += (90 - j) / 16
    assert summary.jitter_interarrival_ms == pytest.approx(j)


def test_reports_carry_median_p95_and_geometric_mean_per_hop_and_responder() -> None:
    hop = HopStats(1)
    for n, value in enumerate((10.0, 20.0, 30.0, 40.0, 1000.0)):
        hop.add(ProbeResult(key=n, setting=Setting(Protocol.ICMP, None), ttl=1, round=n,
                            outcome=Outcome.TIME_EXCEEDED, responder="10.0.0.1", rtt_ns=int(value * 1e6)))
    report = HopReport.of(hop.snapshot(), None)
    geomean = math.exp(sum(map(math.log, (10, 20, 30, 40, 1000))) / 5)
    for row in (report, report.responders[0]):
        assert row.median_ms == pytest.approx(30.0, rel=RELATIVE_ERROR)
        assert row.p95_ms == pytest.approx(1000.0, rel=RELATIVE_ERROR)
        assert row.geomean_ms == pytest.approx(geomean, rel=1e-3)
