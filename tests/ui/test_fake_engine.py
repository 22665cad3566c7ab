"""The fake engine that the UI tests and snapshots use computes its statistics as the real engine does."""

from __future__ import annotations

import itertools
import statistics

import pytest

from .fake_engine import FakeEngine


def test_stdev_is_the_sample_stdev_and_jitter_is_mtrs_as_in_the_real_engine() -> None:
    engine = FakeEngine()
    engine.advance(6)
    hop = engine.snapshot().hops[0]
    rtts = [v for v in hop.history if v is not None]
    assert len(rtts) == 6 and len(set(rtts)) > 1
    assert hop.rtt.stdev_ms == pytest.approx(statistics.stdev(rtts))
    steps = [abs(b - a) for a, b in itertools.pairwise(rtts)]
    assert hop.rtt.jitter_ms == pytest.approx(steps[-1])
    assert hop.rtt.jitter_avg_ms == pytest.approx(statistics.mean(steps))
    assert hop.rtt.jitter_max_ms == pytest.approx(max(steps))
