"""``--flows`` end to end on the simulated network (per-flow ECMP by a hash of the 5-tuple), and the flow
book's grouping and per-branch statistics from results alone."""

from __future__ import annotations

from typing import Any

import pytest

from tuitrace.config import Mode, Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.errors import PrivilegeError
from tuitrace.probe.backend import open_probing_network
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.stats.flowbook import FlowBook, FlowsSnapshot
from tuitrace.timeline.events import EventKind
from tuitrace.timeline.rounds import RoundRecord

FLOWS = 8
STAGE_ONE = {4: ["203.0.113.21", "203.0.113.22"], 6: ["2001:db8:2::21", "2001:db8:2::22"]}
STAGE_TWO = {4: ["203.0.113.31", "203.0.113.32", "203.0.113.33"],
             6: ["2001:db8:3::31", "2001:db8:3::32", "2001:db8:3::33"]}


def diamond(family: int) -> dict[str, Any]:
    source, target, first = (("192.0.2.1", "198.51.100.9", "192.0.2.254") if family == 4
                             else ("2001:db8::1", "2001:db8:9::9", "2001:db8::fe"))
    return {
        "path": {"family": family, "source": source, "target": target},
        "hop": [{"responders": [first]}, {"responders": STAGE_ONE[family]},
                {"responders": STAGE_TWO[family]}],
        "target": {"udp": "closed", "tcp": "open"},
    }


def trace(
    family: int, protocol: Protocol, *, flows: int = FLOWS, rounds: int = 6
) -> tuple[Engine, FlowsSnapshot]:
    scenario = parse_scenario(diamond(family), "diamond")
    port = {Protocol.ICMP: None, Protocol.UDP: 53, Protocol.TCP: 443}[protocol]
    config = TraceConfig(target=scenario.target, family=family, setting=Setting(protocol, port), count=rounds,
                         flows=flows)
    engine = Engine(config, SimNetwork(scenario, tcp_ports=flows))
    engine.run()
    snapshot = engine.flows()
    assert snapshot is not None
    return engine, snapshot


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", list(Protocol))
def test_each_flow_keeps_one_route_and_equal_routes_are_one_path(family: int, protocol: Protocol) -> None:
    engine, snapshot = trace(family, protocol)
    assert [flow.flow for flow in snapshot.flows] == list(range(1, FLOWS + 1))
    routes = {path.path: path.route for path in snapshot.paths}
    assert len(set(routes.values())) == len(routes)  # distinct paths have distinct routes
    assert len(routes) > 1, "8 flows through a 2x3 diamond must not all hash alike"
    table = {hop.ttl: {r.address for r in hop.responders} for hop in engine.snapshot().hops}
    seen_at_stages = set()
    for flow in snapshot.flows:
        assert flow.route == routes[flow.path]
        assert flow.route[1] in STAGE_ONE[family] and flow.route[2] in STAGE_TWO[family]
        seen_at_stages |= {flow.route[1], flow.route[2]}
        assert all(hop.received == hop.sent == 6 for hop in flow.hops)  # one branch: no other responder
        assert flow.hops[-1].reached
    # the flows' routers are exactly those the hop table shows at the ECMP stages
    assert seen_at_stages == table[2] | table[3]
    for path in snapshot.paths:  # a path's counts are its flows' added together
        members = [flow for flow in snapshot.flows if flow.path == path.path]
        assert path.flows == tuple(flow.flow for flow in members)
        assert [hop.sent for hop in path.hops] == [sum(f.hops[i].sent for f in members) for i in range(4)]
    assert snapshot.application_path == snapshot.flows[0].path == 1


def test_flows_differ_by_the_field_of_their_protocol() -> None:
    _engine, udp = trace(4, Protocol.UDP, flows=3, rounds=1)
    assert [flow.label for flow in udp.flows] == [f"UDP sport 40001 dport {port}" for port in (53, 54, 55)]
    _engine, tcp = trace(4, Protocol.TCP, flows=2, rounds=1)
    assert [flow.label for flow in tcp.flows] == ["TCP sport 40002 dport 443", "TCP sport 40003 dport 443"]


def test_other_flows_branches_are_not_path_changes() -> None:
    """Events follow flow 1 (a fixed TCP flow): the other flows' other routers are no route change. (On the
    simulator flow 1 answers first in every round, and the detector keeps one result per round and TTL, so
    this passes without the engine's filter too; on a real network any flow may answer first.)"""
    engine, snapshot = trace(4, Protocol.TCP, rounds=12)
    assert len(snapshot.paths) > 1
    assert not [event for event in engine.events() if event.kind is EventKind.PATH_CHANGE]


def test_without_flows_there_is_no_flow_book() -> None:
    scenario = parse_scenario(diamond(4), "diamond")
    engine = Engine(TraceConfig(target=scenario.target, family=4, count=1), SimNetwork(scenario))
    engine.run()
    assert engine.flows() is None
    assert all(hop.sent == 1 for hop in engine.snapshot().hops[1:])  # one probe per TTL and round


def test_unprivileged_tcp_flows_are_refused_in_one_line() -> None:
    config = TraceConfig(target="127.0.0.1", family=4, setting=Setting(Protocol.TCP, 80), flows=4)
    with pytest.raises(PrivilegeError, match="--flows with TCP needs raw sockets"):
        open_probing_network(config, Mode.UNPRIVILEGED)


# -- the book alone: loss on one branch shows on its path only ---------------------------------------------
UDP = Setting(Protocol.UDP, None)
ROUTERS = {"a": ("10.0.0.1", "10.0.1.1", "10.0.9.9"), "b": ("10.0.0.1", "10.0.2.1", "10.0.9.9")}


def results(flow: int, branch: str, rounds: int, lost_every: int | None) -> list[ProbeResult]:
    out = []
    for number in range(rounds):
        for ttl, address in enumerate(ROUTERS[branch], start=1):
            final = ttl == len(ROUTERS[branch])
            lost = final and lost_every is not None and number % lost_every == 0
            outcome = Outcome.LOST if lost else Outcome.REACHED if final else Outcome.TIME_EXCEEDED
            out.append(ProbeResult(number, UDP, ttl, number, outcome, None if lost else address,
                                   None if lost else 1_000_000 * ttl, None, None, flow=flow))
    return out


def test_loss_on_one_branch_shows_on_its_path_and_not_on_the_other() -> None:
    book = FlowBook(4, 40002)
    for flow, branch, lost_every in ((1, "b", None), (2, "a", 5), (3, "b", None), (4, "a", 5)):
        for result in results(flow, branch, 20, lost_every):
            book.add(result)
    ordinary = ProbeResult(0, UDP, 2, 0, Outcome.TIME_EXCEEDED, "10.0.5.5", 1, None, None, flow=0)
    book.add(ordinary)  # not a flow's: not counted
    snapshot = book.snapshot(UDP)
    (via_b, via_a) = snapshot.paths
    assert via_b.flows == (1, 3) and via_a.flows == (2, 4)
    assert via_b.route == ROUTERS["b"] and via_a.route == ROUTERS["a"]
    assert via_a.hops[-1].loss_pct == pytest.approx(20.0) and via_a.hops[-1].sent == 40
    assert via_b.hops[-1].loss_pct == 0.0 and via_b.hops[-1].sent == 40
    assert [hop.loss_pct for hop in via_a.hops[:-1]] == [0.0, 0.0]
    assert via_a.hops[1].rtt.avg_ms == pytest.approx(2.0)
    assert snapshot.application_path == via_b.path
    book.reset(UDP)
    assert book.snapshot(UDP).flows == ()


def test_a_flow_ends_at_its_first_final_answer() -> None:
    book = FlowBook(1, 40002)
    for result in results(1, "a", 3, None):
        book.add(result)
    beyond = ProbeResult(9, UDP, 4, 0, Outcome.LOST, None, None, None, None, flow=1)
    book.add(beyond)  # beyond the end: not a hop
    (flow,) = book.snapshot(UDP).flows
    assert [hop.ttl for hop in flow.hops] == [1, 2, 3]


def test_stream_rounds_follow_flow_one() -> None:
    """``--stream`` lines have one result per TTL and round: flow 1's, the application's own tuple."""
    scenario = parse_scenario(diamond(4), "diamond")
    config = TraceConfig(target=scenario.target, family=4, setting=Setting(Protocol.TCP, 443), count=4,
                         flows=FLOWS)
    engine = Engine(config, SimNetwork(scenario, tcp_ports=FLOWS))
    records: list[RoundRecord] = []
    engine.add_round_listener(records.append)
    engine.run()
    flows = engine.flows()
    assert flows is not None
    own = flows.flows[0].route
    assert len({flow.route for flow in flows.flows}) > 1  # other flows take other routers
    assert records
    for record in records:
        assert tuple(hop.address for hop in record.hops)[: len(own)] == own
