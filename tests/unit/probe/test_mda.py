"""MDA discovery: the stopping rule against the published table, and discovery on simulated diamonds
(every interface and link, silent hops, meshed stages, the destination's TTL not enumerated)."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.discovery import discover
from tuitrace.engine.engine import Engine
from tuitrace.probe.mda import MdaDiscovery, MdaResult
from tuitrace.probe.mda_rule import (
    failure_probability,
    miss_probability,
    run_level,
    stopping_point,
    stopping_point_at,
)
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text
from tuitrace.run import engine_after_drop

PUBLISHED_95 = [6, 11, 16, 21, 27, 33, 38, 44, 51, 57, 63, 70, 76, 83, 90, 96]
"""Flows to send having seen k = 1, 2, ... next hops, at 95% (Augustin et al.; scamper's table)."""
PUBLISHED_99 = [8, 15, 21, 28, 36, 43, 51, 58, 66, 74, 82, 90, 98, 106, 115, 123]


def test_the_stopping_points_are_the_published_ones() -> None:
    assert [stopping_point(k, 95) for k in range(1, 17)] == PUBLISHED_95
    assert [stopping_point(k, 99) for k in range(1, 17)] == PUBLISHED_99


@pytest.mark.parametrize("seen", [1, 2, 3, 7])
def test_each_stopping_point_is_the_fewest_flows_that_keep_the_bound(seen: int) -> None:
    n = stopping_point(seen, 95)
    assert failure_probability(seen + 1, n) <= Fraction(5, 100) < failure_probability(seen + 1, n - 1)


def test_the_failure_probability_is_exact() -> None:
    assert failure_probability(2, 3) == Fraction(2, 8)  # both of 3 flows on one of 2 branches
    assert failure_probability(3, 3) == 1 - Fraction(6, 27)  # 3 flows on 3 branches, not all different


def test_the_miss_probability_of_one_stage_is_exact() -> None:
    alpha = Fraction(5, 100)
    assert miss_probability(1, alpha) == 0  # nothing to miss
    assert miss_probability(2, alpha) == Fraction(2, 2**6)  # the first 6 flows on one branch
    assert miss_probability(4, alpha) < alpha  # three steps (1, 2, 3 seen), each at the bound or below


@pytest.mark.parametrize("alpha", [Fraction(5, 100), Fraction(25, 1000), Fraction(1, 100), Fraction(5, 1000)])
def test_a_stage_of_up_to_six_ways_is_missed_at_most_at_its_tests_level(alpha: Fraction) -> None:
    """What the per-run union bound rests on (each of a stage's tests is at the level; together too)."""
    assert all(miss_probability(ways, alpha) <= alpha for ways in range(2, 7))


def whole_run_miss(stages: list[int], levels: list[Fraction]) -> Fraction:
    """The chance that some stage of a path misses a next hop, stages tested at the given levels."""
    found = Fraction(1)
    for ways, level in zip(stages, levels, strict=True):
        found *= 1 - miss_probability(ways, level)
    return 1 - found


def test_per_step_the_lab_path_is_missed_more_often_than_the_confidence_says() -> None:
    """A 4-way stage then a 2-way one, 5% per step: 7.2% of runs miss something."""
    alpha = Fraction(5, 100)
    assert whole_run_miss([4, 2], [alpha, alpha]) > Fraction(7, 100)


@pytest.mark.parametrize("confidence", [95, 99])
@pytest.mark.parametrize("stages", [[4, 2], [2, 2, 2], [2, 4, 3, 2, 2], [8, 2]])
def test_per_run_levels_keep_the_whole_run_within_the_confidence(confidence: int, stages: list[int]) -> None:
    """The i-th branching TTL is tested at alpha / 2^i: the misses of the run add up to less than alpha."""
    alpha = Fraction(100 - confidence, 100)
    levels = [run_level(alpha, before) for before in range(len(stages))]
    assert levels[0] == alpha / 2 and levels[1] == alpha / 4
    assert whole_run_miss(stages, levels) <= alpha


def test_interfaces_tested_apart_share_their_ttls_level() -> None:
    assert run_level(Fraction(1, 20), 1, tested=3) == Fraction(1, 20) / 12
    assert stopping_point_at(1, Fraction(1, 40)) == 7 and stopping_point_at(1, Fraction(1, 80)) == 8


ADDRESSES = {4: "198.51.100.{}", 6: "2001:db8:5::{}"}


def address(family: int, number: int) -> str:
    return ADDRESSES[family].format(number)


def scenario(family: int, stages: list[list[int]], silent: int | None = None) -> dict[str, Any]:
    hops: list[dict[str, Any]] = [{"responders": [address(family, n) for n in stage]} for stage in stages]
    if silent is not None:
        hops[silent] = {"silent": True}
    return {
        "path": {"family": family, "source": "192.0.2.1" if family == 4 else "2001:db8::1",
                 "target": address(family, 250)},
        "hop": hops,
        "target": {"udp": "closed", "tcp": "open"},
    }


def run_mda(family: int, protocol: Protocol, stages: list[list[int]], *, silent: int | None = None,
            confidence: int = 95, per_run: bool = True) -> MdaResult:
    path = parse_scenario(scenario(family, stages, silent), "mda")
    port = {Protocol.ICMP: None, Protocol.UDP: 33434, Protocol.TCP: 80}[protocol]
    config = TraceConfig(target=path.target, family=family, setting=Setting(protocol, port), max_ttl=12)
    network = SimNetwork(path, tcp_ports=64)
    return discover(network, MdaDiscovery(config, network.identity, confidence, per_run=per_run))


TWO_DIAMONDS = [[1], [21, 22], [30], [41, 42], [50]]


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", [Protocol.UDP, Protocol.ICMP])
def test_two_diamonds_are_found_whole_with_few_probes(family: int, protocol: Protocol) -> None:
    result = run_mda(family, protocol, TWO_DIAMONDS)
    assert result.reached and result.complete
    found = [set(hop.interfaces) for hop in result.hops]
    expected = [{address(family, n) for n in stage} for stage in [*TWO_DIAMONDS, [250]]]
    assert found == expected
    r21, r22, r30, r41, r42 = (address(family, n) for n in (21, 22, 30, 41, 42))
    assert set(result.hops[2].links) == {(r21, r30), (r22, r30)}
    assert set(result.hops[3].links) == {(r30, r41), (r30, r42)}
    # the per-hop rule with flows reused, and one probe that meets the destination: at alpha / 2 up to
    # the first branching TTL (7, 12), alpha / 4 up to the second (8, 14), alpha / 8 after (9)
    assert [hop.probes for hop in result.hops] == [7, 12, 8, 14, 9, 1]
    assert result.probes == 51


def test_per_step_the_published_table_is_used_at_every_ttl() -> None:
    """tracelb's meaning of 95%: 6 + 11 + 6 + 11 + 6 + 1 (the issue's "about 40")."""
    result = run_mda(4, Protocol.UDP, TWO_DIAMONDS, per_run=False)
    assert result.complete and [hop.probes for hop in result.hops] == [6, 11, 6, 11, 6, 1]


def test_99_percent_sends_more() -> None:
    result = run_mda(4, Protocol.UDP, TWO_DIAMONDS, confidence=99)
    assert [hop.probes for hop in result.hops] == [9, 16, 10, 18, 11, 1]
    assert [hop.probes for hop in run_mda(4, Protocol.UDP, TWO_DIAMONDS, confidence=99, per_run=False).hops] \
        == [8, 15, 8, 15, 8, 1]


def test_wide_hops_in_a_row_are_enumerated_per_interface() -> None:
    """A 2-way stage right before a 3-way one may be meshed: every interface gets its own successors."""
    result = run_mda(4, Protocol.UDP, [[1], [21, 22], [31, 32, 33], [50]])
    assert result.complete and len(result.hops[2].interfaces) == 3
    for interface in (address(4, 21), address(4, 22)):
        successors = {b for a, b in result.hops[2].links if a == interface}
        assert successors, interface
    assert result.hops[2].probes >= 2 * 11  # each of the two interfaces saw two or more successors


def test_a_silent_hop_is_a_star_and_discovery_goes_on() -> None:
    result = run_mda(4, Protocol.UDP, [[1], [21], [30]], silent=1)
    assert result.reached
    assert result.hops[1].interfaces == (None,)
    assert result.hops[1].probes == 7  # before any branching TTL: alpha / 2
    assert (address(4, 1), None) in result.hops[1].links and (None, address(4, 30)) in result.hops[2].links


def test_the_flow_budget_ends_discovery_and_says_so() -> None:
    path = parse_scenario(scenario(4, [[1], [21, 22, 23, 24, 25, 26, 27, 28]]), "wide")
    config = TraceConfig(target=path.target, family=4, setting=Setting(Protocol.UDP, 33434))
    network = SimNetwork(path)
    result = discover(network, MdaDiscovery(config, network.identity, 95, max_flows=20))
    assert not result.complete and result.flows_used == 20


def test_only_our_confidences() -> None:
    path = parse_scenario(scenario(4, [[1]]), "one")
    with pytest.raises(ValueError, match="confidence"):
        MdaDiscovery(TraceConfig(target=path.target, family=4), SimNetwork(path).identity, 90)


def test_after_discovery_the_trace_follows_the_flows_it_used() -> None:
    path = parse_scenario(scenario(4, TWO_DIAMONDS), "diamonds")
    config = TraceConfig(target=path.target, family=4, setting=Setting(Protocol.UDP, None), count=3,
                         mda_confidence=95)
    engine, result = engine_after_drop(None, config, SimNetwork(path))
    assert isinstance(engine, Engine)
    assert result is not None and result.complete
    engine.run()
    flows = engine.flows()
    assert flows is not None and flows.count == result.flows_used and flows.discovery is result
    found = {hop.ttl: set(hop.interfaces) for hop in result.hops}
    for ttl, interfaces in found.items():  # the trace sees what discovery found, at every TTL
        assert {p.hops[ttl - 1].address for p in flows.paths} == interfaces
    document = json.loads(render_json(engine.snapshot(), None, engine.events(), flows, result))
    assert list(document["mda"]) == ["confidence", "probes", "reached", "complete", "flows", "hops"]
    assert document["mda"]["probes"] == result.probes == 51
    assert list(document["mda"]["hops"][1]) == ["ttl", "interfaces", "links", "probes"]
    assert "MDA at 95% confidence" in render_text(engine.snapshot(), mda=result)
    assert "mda" not in json.loads(render_json(engine.snapshot()))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_loss_is_not_a_silent_router(seed: int) -> None:
    """30% of r30's answers lost, and 8% of what the first stage forwards dropped (as 30% on one of four
    branches): a lost probe is tried once more before it counts as a silent interface, so discovery ends
    whole, within its flows (with each lost probe taken for a silent router, seed 3 ran out of flows)."""
    data = scenario(4, TWO_DIAMONDS)
    data["path"]["seed"] = seed
    data["hop"][1]["drop"] = 0.08
    data["hop"][2]["loss"] = 0.3
    path = parse_scenario(data, "lossy")
    config = TraceConfig(target=path.target, family=4, setting=Setting(Protocol.UDP, 33434), max_ttl=12)
    network = SimNetwork(path)
    result = discover(network, MdaDiscovery(config, network.identity, 95))
    assert result.reached and result.complete and result.flows_used < 64
    named = [{interface for interface in hop.interfaces if interface is not None} for hop in result.hops]
    assert named == [{address(4, n) for n in stage} for stage in [*TWO_DIAMONDS, [250]]]


def run_with_one_first_hop(
    stages: list[list[int]], *, silent: int | None = None, first_ttl: int = 1,
) -> MdaResult:
    path = parse_scenario(scenario(4, stages, silent), "one gateway")
    config = TraceConfig(target=path.target, family=4, setting=Setting(Protocol.UDP, 33434), max_ttl=12,
                         first_ttl=first_ttl)
    network = SimNetwork(path)
    discovery = MdaDiscovery(config, network.identity, 95)
    discovery.source_has_one_next_hop()
    return discover(network, discovery)


def test_one_gateway_in_the_routing_table_makes_the_first_hop_one_probe() -> None:
    result = run_with_one_first_hop(TWO_DIAMONDS)
    assert result.complete and [hop.probes for hop in result.hops] == [1, 12, 8, 14, 9, 1]
    assert result.hops[0].interfaces == (address(4, 1),)


def test_one_gateway_does_not_make_one_lost_probe_a_silent_hop() -> None:
    """The first hop is silent: it still takes n_1 unanswered flows (7) to say so, not one."""
    result = run_with_one_first_hop([[1], [21], [30]], silent=0)
    assert result.reached and result.hops[0].interfaces == (None,) and result.hops[0].probes == 7


def test_one_gateway_says_nothing_about_a_later_first_ttl() -> None:
    result = run_with_one_first_hop(TWO_DIAMONDS, first_ttl=2)
    assert result.hops[0].ttl == 2 and result.hops[0].probes == 12
