"""Soak sample for every run: simulated minutes at 10 rounds/s over 30 hops, memory flat and numbers exact.

The full simulated day is ``python -m bench.soak`` (or ``pytest -m long tests/fault``).
"""

from __future__ import annotations

import pytest

from tests.fault.soak import (
    HOPS,
    LOSS_PERIODS,
    TARGET,
    PatternLossNetwork,
    lost_rounds,
    soak,
    statistics_problems,
    template_answer_matches_builders,
)
from tuitrace.config import Protocol, Setting
from tuitrace.probe.types import Probe


def test_the_loss_pattern_is_what_the_expectations_assume() -> None:
    assert lost_rounds(7, 10) == 1 and lost_rounds(7, 11) == 2 and lost_rounds(8, 1000) == 0
    assert max(LOSS_PERIODS) < HOPS, "the target itself never loses: the path length stays 30"


def test_the_template_answers_are_the_builders_bytes() -> None:
    network = PatternLossNetwork()
    probes = [Probe(key, ttl, Setting(Protocol.ICMP, None), 0, TARGET, 4, 0)
              for key in (0, 1, 255, 256, 4095, 32767, 65533) for ttl in (1, 2, 17, HOPS - 1, HOPS)]
    assert all(template_answer_matches_builders(network, probe) for probe in probes)


@pytest.mark.parametrize("minutes", [3])
def test_soak_sample_memory_flat_and_statistics_exact(minutes: int) -> None:
    figures, snapshot = soak(minutes * 60.0, warmup_s=60.0, samples=6)
    assert statistics_problems(snapshot, figures.rounds) == []
    assert figures.rss_ratio <= 1.05, [(s.simulated_s, s.rss_kib) for s in figures.samples]
    assert figures.heap_ratio <= 1.05, [(s.simulated_s, s.heap_blocks) for s in figures.samples]


@pytest.mark.long
def test_soak_a_simulated_day() -> None:
    figures, snapshot = soak(24 * 3600.0, warmup_s=3600.0)
    assert statistics_problems(snapshot, figures.rounds) == []
    assert figures.rss_ratio <= 1.05
    assert figures.heap_ratio <= 1.05
