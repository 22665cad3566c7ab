"""The tracer, the statistics and the receive path against simulated paths described as data files.

Each file in tests/scenarios/ describes hops, responders, loss, delays and the target's behaviour, how to
run (protocol, port, rounds) and what a user must see ([expect]). Adding a case is adding a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.scenario import Scenario, load_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.stats.snapshot import HopSnapshot, TraceSnapshot

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.toml"))


def run_scenario(scenario: Scenario) -> TraceSnapshot:
    run = scenario.run
    protocol = Protocol(run.get("protocol", "icmp"))
    config = TraceConfig(
        target=scenario.target,
        family=scenario.family,
        setting=Setting(protocol, run.get("port")),
        count=int(run.get("rounds", 10)),
        interval=float(run.get("interval", 1.0)),
        max_ttl=int(run.get("max_ttl", 30)),
    )
    engine = Engine(config, SimNetwork(scenario))
    engine.run()
    return engine.snapshot()


def check_hop(hop: HopSnapshot, expect: dict[str, Any], rounds: int) -> None:
    where = f"TTL {hop.ttl}"
    addresses = [r.address for r in hop.responders]
    if "responders" in expect:
        assert sorted(addresses) == sorted(expect["responders"]), where
    if "responder_count" in expect:
        assert len(addresses) == expect["responder_count"], where
    if "loss_pct" in expect:
        low, high = expect["loss_pct"]
        assert low <= hop.loss_pct <= high, f"{where}: loss {hop.loss_pct:.1f}% not in [{low}, {high}]"
    if "avg_ms" in expect:
        low, high = expect["avg_ms"]
        assert hop.rtt.avg_ms is not None and low <= hop.rtt.avg_ms <= high, where
    if "annotations" in expect:
        marks = {mark for r in hop.responders for mark in r.annotations}
        assert marks == set(expect["annotations"]), where
    if "min_share_pct" in expect:
        assert all(r.share_pct >= expect["min_share_pct"] for r in hop.responders), where
        assert sum(r.received for r in hop.responders) == hop.received, where
    assert hop.received <= hop.sent, where
    assert hop.sent >= rounds - 1, f"{where}: only {hop.sent} probes resolved in {rounds} rounds"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path) -> None:
    scenario = load_scenario(path)
    snapshot = run_scenario(scenario)
    expect = scenario.expect
    assert snapshot.reached is expect["reached"]
    if "path_length" in expect:
        assert snapshot.path_length == expect["path_length"]
        assert [h.ttl for h in snapshot.hops] == list(range(1, expect["path_length"] + 1))
    assert snapshot.dropped == 0
    by_ttl = {hop.ttl: hop for hop in snapshot.hops}
    for hop_expect in expect.get("hop", []):
        check_hop(by_ttl[hop_expect["ttl"]], hop_expect, snapshot.rounds)


def test_scenarios_exist() -> None:
    assert len(SCENARIOS) >= 8
