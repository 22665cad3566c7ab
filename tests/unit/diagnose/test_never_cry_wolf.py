"""Never cry wolf, on the simulated network through the real engine: many seeded runs of healthy paths
(a router rate-limiting its replies, the destination losing at most the tolerated baseline) give no
forward_loss beyond the stated false-positive rate, and nothing else that is not there."""

from __future__ import annotations

import random
from typing import Any

from tests.unit.diagnose.simulate import run_data
from tuitrace.diagnose.binomial import at_least
from tuitrace.diagnose.finding import Kind
from tuitrace.diagnose.loss import ALPHA, BASELINE_LOSS
from tuitrace.diagnose.rules import diagnose

RUNS = 150


def healthy_path(seed: int, policing: float, target_loss: float) -> dict[str, Any]:
    return {
        "path": {"family": 4, "source": "192.0.2.1", "target": "198.51.100.9", "seed": seed},
        "hop": [{"responders": ["192.0.2.254"]}, {"responders": ["203.0.113.1"], "loss": policing},
                {"responders": ["203.0.113.5"]}],
        "target": {"loss": target_loss},
        "run": {"protocol": "icmp", "rounds": 40, "interval": 0.2},
    }


def test_healthy_paths_give_no_forward_loss_beyond_the_stated_rate() -> None:
    rng = random.Random(1201)
    kinds: list[Kind] = []
    for seed in range(RUNS):
        snap = run_data(healthy_path(seed, rng.uniform(0.0, 0.3), BASELINE_LOSS))
        kinds.extend(f.kind for f in diagnose(snap))
    alarms = kinds.count(Kind.FORWARD_LOSS)
    assert at_least(alarms, RUNS, ALPHA) > 0.001, f"{alarms} forward_loss findings in {RUNS} runs"
    assert set(kinds) <= {Kind.FORWARD_LOSS, Kind.REPLY_LOSS_ONLY}


def test_a_lossless_path_gives_no_finding_at_all() -> None:
    for seed in range(30):
        assert diagnose(run_data(healthy_path(seed, 0.0, 0.0))) == ()
