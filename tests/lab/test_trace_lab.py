"""tuitrace against real kernel routers: what ``tuitrace --report --json`` shows in the namespace lab.

Every expectation comes from the lab's topology (:mod:`tests.lab.topology`), and the lab's own behaviour is
proven first by Debian traceroute and mtr (``test_lab_selfcheck.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

from tests.lab import topology
from tests.lab.binomial import binomial_bounds
from tests.lab.conftest import CLOSED_TCP_PORT, OPEN_TCP_PORT, REJECTED_TCP_PORT, SILENT_UDP_PORT
from tests.lab.netlab import Lab
from tests.lab.test_lab_selfcheck import FIXED_FLOW_SPORT, established_or_half_open, on_one_path
from tests.lab.topology import FAMILIES, Family
from tests.lab.tuitrace_run import (
    Report,
    addresses,
    finish,
    path,
    responder,
    run_tuitrace,
    start_tuitrace,
)

pytestmark = pytest.mark.lab

METHODS = ["icmp", "udp", "udp-fixed", "tcp"]
FIXED_METHODS = ["icmp", "udp-fixed", "tcp"]
"""One 5-tuple for the whole trace: one ECMP branch (ICMP has no ports: r1 hashes its addresses only)."""
BASELINE_ROUNDS = 30
"""Enough that classic UDP misses one of two ECMP branches with probability 2**-29."""

Baseline = Callable[[Family, str], Report]


@pytest.fixture(scope="session")
def baseline(lab: Lab) -> Baseline:
    """A plain trace to dst per family and method, run once and shared by the tests that only read it."""

    @functools.cache
    def run(family: Family, method: str) -> Report:
        return run_tuitrace(lab, family, method, rounds=BASELINE_ROUNDS)

    return run


def assert_counts_are_own(report: Report, rounds: int) -> None:
    """Every hop was probed once per round and counts no reply that was not its own."""
    for hop in report["hops"]:
        assert hop["sent"] == rounds, f"TTL {hop['ttl']}: sent {hop['sent']}, rounds {rounds}"
        assert 0 <= hop["received"] <= hop["sent"], f"TTL {hop['ttl']}: {hop['received']}/{hop['sent']}"
        assert sum(r["received"] for r in hop["responders"]) == hop["received"], f"TTL {hop['ttl']}"


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", METHODS)
def test_linear_path_to_dst(lab: Lab, baseline: Baseline, family: Family, method: str) -> None:
    report = baseline(family, method)
    expected = lab.expected_hops(family)
    assert report["target"]["address"] == lab.target(family)
    assert report["reached"] is True
    assert [hop["ttl"] for hop in report["hops"]] == list(range(1, len(expected) + 1)), "nothing beyond dst"
    assert_counts_are_own(report, BASELINE_ROUNDS)
    assert all(hop["received"] == hop["sent"] for hop in report["hops"]), "the lab loses nothing"
    if method == "udp":
        assert path(report) == expected
    else:
        assert on_one_path(path(report), expected), path(report)
    *before, last = report["hops"]
    assert [(r["address"], r["is_target"]) for r in last["responders"]] == [(lab.target(family), True)]
    assert not any(r["is_target"] for hop in before for r in hop["responders"])


@pytest.mark.parametrize("family", FAMILIES)
def test_classic_udp_shows_both_ecmp_branches_with_own_stats(
    lab: Lab, baseline: Baseline, family: Family
) -> None:
    hop = baseline(family, "udp")["hops"][topology.ECMP_TTL - 1]
    branches = {lab.address("r2a", family), lab.address("r2b", family)}
    assert addresses(hop) == branches
    for address in branches:
        own = responder(hop, address)
        assert 0 < own["received"] < hop["received"]
        assert own["best_ms"] <= own["avg_ms"] <= own["worst_ms"]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", FIXED_METHODS)
def test_fixed_flow_shows_exactly_one_ecmp_branch(
    lab: Lab, baseline: Baseline, family: Family, method: str
) -> None:
    hop = baseline(family, method)["hops"][topology.ECMP_TTL - 1]
    assert len(hop["responders"]) == 1
    assert addresses(hop) <= {lab.address("r2a", family), lab.address("r2b", family)}
    assert hop["responders"][0]["received"] == hop["sent"]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", ["icmp", "udp", "tcp"])
def test_partial_loss_at_one_hop(lab: Lab, family: Family, method: str) -> None:
    rounds, rate, lossy_ttl = 200, 0.3, 3
    with lab.loss("r3", rate):
        report = run_tuitrace(lab, family, method, rounds=rounds, interval=0.02, wait=1.0)
    assert report["reached"] is True
    assert_counts_are_own(report, rounds)
    lo, hi = binomial_bounds(rounds, rate)
    for hop in report["hops"]:
        lost = hop["sent"] - hop["received"]
        if hop["ttl"] == lossy_ttl:
            assert lo <= lost <= hi, f"TTL 3: lost {lost}/{rounds} at {rate:.0%}: not in [{lo}, {hi}]"
            assert hop["loss_pct"] == pytest.approx(100 * lost / rounds, abs=0.1)
        else:
            assert hop["loss_pct"] <= 1.0, f"TTL {hop['ttl']} shows loss that is not there: {hop['loss_pct']}"


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", ["icmp", "udp", "tcp"])
def test_silent_hop_is_present_and_the_trace_goes_on(lab: Lab, family: Family, method: str) -> None:
    rounds = 5
    with lab.silence("r3"):
        report = run_tuitrace(lab, family, method, rounds=rounds)
    expected = lab.expected_hops(family)
    assert report["reached"] is True
    assert [hop["ttl"] for hop in report["hops"]] == [1, 2, 3, 4, 5]
    silent = report["hops"][2]
    assert (silent["sent"], silent["received"], silent["responders"]) == (rounds, 0, [])
    assert path(report)[3:] == expected[3:]
    assert all(hop["received"] == rounds for hop in report["hops"][3:])


@pytest.mark.parametrize("family", FAMILIES)
def test_rejected_tcp_port_shows_admin_prohibited(lab: Lab, family: Family) -> None:
    r4 = lab.address("r4", family)
    with lab.reject_tcp_port("r4", REJECTED_TCP_PORT):
        report = run_tuitrace(lab, family, "tcp", rounds=5, extra=["-p", str(REJECTED_TCP_PORT), "-m", "8"])
    assert report["reached"] is False
    hops = {hop["ttl"]: hop for hop in report["hops"]}
    assert addresses(hops[4]) == {r4} and responder(hops[4], r4)["annotations"] == []
    assert addresses(hops[5]) == {r4}
    assert "!X" in responder(hops[5], r4)["annotations"]
    assert not any(lab.target(family) in addresses(hop) for hop in report["hops"])


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("annotation", ["!N", "!H"])
@pytest.mark.parametrize("method", ["icmp", "tcp"])
def test_unreachable_is_annotated_on_the_router_that_says_so(
    lab: Lab, family: Family, annotation: str, method: str
) -> None:
    case = topology.unreachable(family, annotation)
    report = run_tuitrace(lab, family, method, case.address, rounds=5, extra=["-m", "8"])
    assert report["reached"] is False
    hops = {hop["ttl"]: hop for hop in report["hops"]}
    assert on_one_path([addresses(hops[ttl]) for ttl in range(1, case.ttl)],
                       lab.expected_hops(family)[: case.ttl - 1])
    assert addresses(hops[case.ttl]) == {case.responder}
    assert annotation in responder(hops[case.ttl], case.responder)["annotations"]
    assert responder(hops[case.ttl], case.responder)["is_target"] is False


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("port", [OPEN_TCP_PORT, CLOSED_TCP_PORT], ids=["open", "closed"])
def test_tcp_to_open_and_closed_port_reaches_and_leaves_no_connection(
    lab: Lab, family: Family, port: int
) -> None:
    report = run_tuitrace(lab, family, "tcp", rounds=5, extra=["-p", str(port)])
    assert report["reached"] is True
    assert report["port"] == port
    last = report["hops"][-1]
    assert addresses(last) == {lab.target(family)} and last["received"] == 5
    assert established_or_half_open(lab, port) == []


@pytest.mark.parametrize("family", FAMILIES)
def test_udp_to_a_silent_listener_stays_unreached(lab: Lab, family: Family) -> None:
    rounds = 3
    extra = ["-p", str(SILENT_UDP_PORT), "-m", "7"]
    report = run_tuitrace(lab, family, "udp-fixed", rounds=rounds, extra=extra)
    assert report["reached"] is False
    hops = {hop["ttl"]: hop for hop in report["hops"]}
    assert on_one_path([addresses(hops[ttl]) for ttl in range(1, 5)], lab.expected_hops(family)[:4])
    assert (hops[5]["received"], hops[5]["responders"]) == (0, [])
    assert not any(lab.target(family) in addresses(hop) for hop in report["hops"])


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", ["icmp", "udp", "tcp"])
def test_two_tracers_and_a_ping_count_only_their_own_replies(lab: Lab, family: Family, method: str) -> None:
    rounds = 20
    ping = lab.popen("src", ["ping", f"-{family}", "-q", "-i", "0.01", lab.target(family)])
    try:
        runs = [start_tuitrace(lab, family, method, rounds=rounds) for _ in range(2)]
        reports = [finish(argv, proc) for argv, proc in runs]
    finally:
        ping.terminate()
        ping.wait()
    for report in reports:
        assert report["reached"] is True
        assert_counts_are_own(report, rounds)
        assert [hop["received"] for hop in report["hops"]] == [rounds] * len(lab.expected_hops(family))


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", METHODS)
def test_same_responders_per_ttl_as_debian_traceroute(
    lab: Lab, baseline: Baseline, family: Family, method: str
) -> None:
    ours = path(baseline(family, method))
    reference_hops = lab.traceroute(family, method, queries=10, sport=FIXED_FLOW_SPORT.get(method))
    theirs = [hop.addresses for hop in reference_hops]
    assert len(ours) == len(theirs)
    for ttl, (mine, reference) in enumerate(zip(ours, theirs, strict=True), start=1):
        if ttl == topology.ECMP_TTL and method in ("tcp", "udp-fixed"):
            # Both follow one branch, but each picks its own source port, so possibly not the same one.
            assert len(mine) == len(reference) == 1
        else:
            assert mine == reference, f"TTL {ttl}"
