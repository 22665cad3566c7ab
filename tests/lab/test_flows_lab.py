"""``--flows`` against the lab's real ECMP stage (r1 -> r2a | r2b, hashing addresses, protocol and ports).

Every flow is a fixed 5-tuple, so each must see one branch at TTL 2 and the same route all the way; the
flows together must find both branches, and flows with the same route must form one path. Loss put on one
branch (iptables ``statistic`` in r2a's FORWARD chain, probes to dst only) must show on the paths through
r2a and not on those through r2b.

Chance: which branch a flow takes depends on its ports, and our source port is a fresh one per run, so
with 8 flows all of them land on one branch with probability 2 / 2^8 = 1/128. That would be the kernel's
choice, not a defect (a defect that stops flows from varying sends every run down one branch), so a run
whose flows all took one branch is run once more: both runs land on one branch with probability 1/16384
per case. Linux hashes no ICMP field (with ``fib_multipath_hash_fields`` 0x37 or policy 1 an echo has no
ports), so in this lab every ICMP flow takes one branch; the test states that as the lab's truth.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from tests.lab import topology
from tests.lab.netlab import Lab
from tests.lab.topology import Family
from tests.lab.tuitrace_run import Report, run_tuitrace

pytestmark = pytest.mark.lab

FLOWS = 8
LOSS = 0.3
"""Probability that r2a drops a probe it forwards to dst."""
LOSS_ROUNDS = 60
"""With one flow through r2a at least 60 probes reach its end: fewer than 5% lost (3) when 30% are
dropped has probability below 1e-6."""


@contextlib.contextmanager
def branch_drop(lab: Lab, router: str, family: Family, probability: float) -> Iterator[None]:
    tool = "iptables" if family == 4 else "ip6tables"
    rule = ["FORWARD", "-d", lab.target(family), "-m", "statistic", "--mode", "random",
            "--probability", f"{probability:.6f}", "-j", "DROP"]
    lab.run(router, [tool, "-w", "-I", *rule], check=True)
    try:
        yield
    finally:
        lab.run(router, [tool, "-w", "-D", *rule], check=True)


def branch_of(route: list[str | None], family: Family) -> str:
    """Which ECMP router (r2a / r2b) a route crosses."""
    at_stage = route[topology.ECMP_TTL - 1]
    for router in ("r2a", "r2b"):
        if at_stage == topology.hop_address(router, family):
            return router
    raise AssertionError(f"TTL {topology.ECMP_TTL} of {route} is neither r2a nor r2b")


def routes(report: Report) -> dict[int, list[str | None]]:
    return {path["path"]: [hop["address"] for hop in path["hops"]] for path in report["paths"]}


def trace_flows(lab: Lab, family: Family, method: str, rounds: int) -> Report:
    """A ``--flows`` run; once more if every flow took one branch (see the module docstring)."""
    extra = ["--flows", str(FLOWS)]
    report = run_tuitrace(lab, family, method, rounds=rounds, extra=extra)
    if len(report["paths"]) == 1 and method != "icmp":
        print(f"\n[flows lab] IPv{family} {method}: all {FLOWS} flows took one branch; running again")
        report = run_tuitrace(lab, family, method, rounds=rounds, extra=extra)
    return report


def check_grouping(report: Report, family: Family) -> None:
    """Each flow keeps one route; flows are grouped by route; every route is a real path of the lab."""
    flows, paths = report["flows"], report["paths"]
    assert [flow["flow"] for flow in flows] == list(range(1, FLOWS + 1))
    by_path = routes(report)
    assert len(set(map(tuple, by_path.values()))) == len(by_path), "two paths with one route"
    for flow in flows:
        route = [hop["address"] for hop in flow["hops"]]
        assert route == by_path[flow["path"]], flow
        assert flow["flow"] in next(p["flows"] for p in paths if p["path"] == flow["path"])
        assert flow["reached"], flow
        expected = topology.expected_hops(family, branch=branch_of(route, family))
        assert [frozenset({address}) for address in route] == expected, route
    assert sum(len(p["flows"]) for p in paths) == FLOWS
    assert sum(p["application"] for p in paths) == 1


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_tcp_flows_find_both_branches_and_group_by_route(lab: Lab, family: Family) -> None:
    report = trace_flows(lab, family, "tcp", rounds=5)
    check_grouping(report, family)
    assert {branch_of(route, family) for route in routes(report).values()} == {"r2a", "r2b"}
    labels = [flow["label"] for flow in report["flows"]]
    assert len(set(labels)) == FLOWS and all(label.startswith("TCP sport ") for label in labels)


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_loss_on_one_branch_shows_on_its_paths_only(lab: Lab, family: Family) -> None:
    with branch_drop(lab, "r2a", family, LOSS):
        report = trace_flows(lab, family, "udp", rounds=LOSS_ROUNDS)
    check_grouping(report, family)
    assert {branch_of(route, family) for route in routes(report).values()} == {"r2a", "r2b"}
    for path in report["paths"]:
        route = [hop["address"] for hop in path["hops"]]
        end = path["hops"][-1]
        assert end["sent"] >= LOSS_ROUNDS * len(path["flows"]) - len(path["flows"]), path
        print(f"\n[flows lab] IPv{family} path {path['path']} via {branch_of(route, family)}: "
              f"{end['loss_pct']}% of {end['sent']} lost at the end")
        if branch_of(route, family) == "r2a":
            assert end["loss_pct"] >= 5.0, path
        else:
            assert end["loss_pct"] <= 2.0, path  # nothing drops on r2b; a busy machine may lose a reply
        assert path["hops"][topology.ECMP_TTL - 1]["loss_pct"] <= 2.0  # r2a's own answers are not dropped


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_icmp_flows_take_one_branch_where_routers_hash_no_icmp_field(lab: Lab, family: Family) -> None:
    report = trace_flows(lab, family, "icmp", rounds=5)
    check_grouping(report, family)
    assert len(report["paths"]) == 1, routes(report)
