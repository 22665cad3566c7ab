"""The tracer, the statistics and the receive path against simulated paths described as data files.

Each file in tests/scenarios/ describes hops, responders, loss, delays and the target's behaviour, how to
run (protocol, port, rounds) and what a user must see ([expect], read by ``scenario_cases``). Adding a case
is adding a file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.engine.scenario_cases import HopExpectation, ScenarioCase, load_case
from tuitrace.engine.engine import Engine
from tuitrace.probe.simnet import SimNetwork
from tuitrace.stats.snapshot import HopSnapshot, TraceSnapshot

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.toml"))


def run_case(case: ScenarioCase) -> TraceSnapshot:
    engine = Engine(case.run.config(case.scenario), SimNetwork(case.scenario))
    engine.run()
    return engine.snapshot()


def check_hop(hop: HopSnapshot, expect: HopExpectation, rounds: int) -> None:
    where = f"TTL {hop.ttl}"
    addresses = [r.address for r in hop.responders]
    if expect.responders is not None:
        assert sorted(addresses) == sorted(expect.responders), where
    if expect.responder_count is not None:
        assert len(addresses) == expect.responder_count, where
    if expect.loss_pct is not None:
        low, high = expect.loss_pct
        assert low <= hop.loss_pct <= high, f"{where}: loss {hop.loss_pct:.1f}% not in [{low}, {high}]"
    if expect.avg_ms is not None:
        low, high = expect.avg_ms
        assert hop.rtt.avg_ms is not None and low <= hop.rtt.avg_ms <= high, where
    if expect.annotations is not None:
        marks = {mark for r in hop.responders for mark in r.annotations}
        assert marks == set(expect.annotations), where
    if expect.min_share_pct is not None:
        assert all(r.share_pct >= expect.min_share_pct for r in hop.responders), where
        assert sum(r.received for r in hop.responders) == hop.received, where
    assert hop.received <= hop.sent, where
    assert hop.sent >= rounds - 1, f"{where}: only {hop.sent} probes resolved in {rounds} rounds"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path) -> None:
    case = load_case(path)
    snapshot = run_case(case)
    expect = case.expect
    assert snapshot.reached is expect.reached
    if expect.path_length is not None:
        assert snapshot.path_length == expect.path_length
        assert [h.ttl for h in snapshot.hops] == list(range(1, expect.path_length + 1))
    assert snapshot.dropped == 0
    by_ttl = {hop.ttl: hop for hop in snapshot.hops}
    for hop_expect in expect.hops:
        check_hop(by_ttl[hop_expect.ttl], hop_expect, snapshot.rounds)


def test_scenarios_exist() -> None:
    assert len(SCENARIOS) >= 8
