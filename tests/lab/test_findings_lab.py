"""Findings against real kernel routers: each kind a Linux router can produce, made in the namespace lab,
run several times; the same runs count true and false positives (printed with ``-s``). The kernel's own
ICMP rate limit is the real-world case of reply-only loss.

Forward loss is iptables ``statistic`` in r3's FORWARD chain (probes to dst only, so ICMP errors going
back are untouched); reply-only loss drops r3's own time-exceeded messages; ``!X`` is r4 rejecting a TCP
port; the loop is a host route for dst on r4 pointing back at r3; the silent UDP port is dst's listener;
the forged TCP reset is r3's FORWARD ``REJECT --reject-with tcp-reset``; the route change moves r1's route
to dst from r2a to r2b while a fixed ICMP flow is traced.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.lab import topology
from tests.lab.conftest import CLOSED_TCP_PORT, OPEN_TCP_PORT, REJECTED_TCP_PORT, SILENT_UDP_PORT
from tests.lab.netlab import Lab
from tests.lab.test_events_lab import INTERVAL, SETTLE_S, pinned, route_via, start
from tests.lab.topology import Family
from tests.lab.tuitrace_run import Report, finish, run_tuitrace

pytestmark = pytest.mark.lab

RUNS = 6
"""Runs per case in the default suite (kept small for the suite's time; the closing note of issue 11 has the
larger counts: 15-23 runs per case)."""
LOSS_ROUNDS = 60


PARALLEL = 3
"""Runs of one case at once: independent tuitrace processes (each its own ICMP id and ports) on routers
whose ICMP is not rate limited, so they do not disturb each other; it keeps the suite's time down."""


def many_runs(lab: Lab, family: Family, method: str, count: int = RUNS) -> list[Report]:
    """``count`` runs of ``LOSS_ROUNDS`` rounds, ``PARALLEL`` at a time."""
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(lambda _: run_tuitrace(lab, family, method, rounds=LOSS_ROUNDS), range(count)))


def kinds(report: Report) -> list[str]:
    return [str(f["kind"]) for f in report["findings"]]


def tally(name: str, reports: Sequence[Report], expected: str | None) -> Counter[str]:
    """Which kinds the runs gave; prints true positives (``expected`` present) and other findings."""
    seen: Counter[str] = Counter(kind for report in reports for kind in set(kinds(report)))
    hits = sum(expected in kinds(r) for r in reports) if expected else 0
    others = {k: v for k, v in seen.items() if k != expected}
    print(f"\n[findings lab] {name}: {expected or 'nothing'} in {hits}/{len(reports)} runs, others {others}")
    return seen


def forward_drop(lab: Lab, router: str, probability: float) -> contextlib.AbstractContextManager[None]:
    """``router`` drops the probes it forwards to dst with ``probability``, after its TTL check."""
    rules = [
        ("iptables", ["FORWARD", "-d", lab.target(4), "-m", "statistic", "--mode", "random",
                      "--probability", f"{probability:.6f}", "-j", "DROP"]),
        ("ip6tables", ["FORWARD", "-d", lab.target(6), "-m", "statistic", "--mode", "random",
                       "--probability", f"{probability:.6f}", "-j", "DROP"]),
    ]
    return lab.filter_rules(router, rules)


@contextlib.contextmanager
def loop_between_r3_and_r4(lab: Lab) -> Iterator[None]:
    """r4 sends traffic for dst back to r3, which sends it to r4 again: a routing loop (IPv4)."""
    via = topology.segment("r3", "r4")
    route = [f"{lab.target(4)}/32", "via", via.address("r3", 4), "dev", via.dev("r4")]
    lab.run("r4", ["ip", "route", "add", *route], check=True)
    try:
        yield
    finally:
        lab.run("r4", ["ip", "route", "del", *route], check=True)


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_a_clean_path_gives_no_finding(lab: Lab, family: Family) -> None:
    reports = many_runs(lab, family, "icmp")
    assert not tally(f"clean IPv{family}", reports, None)


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_loss_in_forward_carries_on_and_is_found_where_it_starts(lab: Lab, family: Family) -> None:
    with forward_drop(lab, "r3", 0.2):
        reports = many_runs(lab, family, "icmp")
    seen = tally(f"forward drop 20% at r3 IPv{family}", reports, "forward_loss")
    assert seen["forward_loss"] >= RUNS - 1
    # Each run's rules are tests at a stated level: one run in RUNS may, by chance, add another kind
    # (seen once under heavy load: reply_loss_only at r4, whose 20% happened to stand out from dst's).
    assert sum(bool(set(kinds(report)) - {"forward_loss"}) for report in reports) <= 1, seen
    first_hop_behind_r3 = topology.hop_address("r4", family)
    placed = [(f["ttl"], f["address"]) for report in reports for f in report["findings"]]
    # Where the loss starts is itself a test at ALPHA per hop: one run in RUNS may, by chance, place it
    # on the destination (about 0.3% of runs; seen in CI at the looser level before the fix).
    assert sum(where == (4, first_hop_behind_r3) for where in placed) >= RUNS - 1, placed


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_loss_of_one_routers_replies_is_reply_loss_only(lab: Lab, family: Family) -> None:
    with lab.loss("r3", 0.3):
        reports = many_runs(lab, family, "icmp")
    seen = tally(f"r3 drops 30% of its time-exceeded IPv{family}", reports, "reply_loss_only")
    assert seen["reply_loss_only"] >= RUNS - 1
    assert "forward_loss" not in seen
    for report in reports:
        for finding in report["findings"]:
            assert (finding["ttl"], finding["address"]) == (3, topology.hop_address("r3", family)), finding


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_the_kernels_own_icmp_rate_limit_is_reply_loss_only(lab: Lab, family: Family) -> None:
    """Linux's default ICMP rate limits on r3, probed every 50 ms: the real thing users misread."""
    with lab.default_icmp_ratelimit("r3"):
        reports = [run_tuitrace(lab, family, "icmp", rounds=LOSS_ROUNDS) for _ in range(RUNS // 2)]
    seen = tally(f"r3 with the kernel's default ICMP rate limit IPv{family}", reports, "reply_loss_only")
    assert seen == Counter({"reply_loss_only": RUNS // 2})
    for report in reports:
        (finding,) = report["findings"]
        assert (finding["ttl"], finding["address"]) == (3, topology.hop_address("r3", family))


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_a_rejected_tcp_port_is_blocked_by_the_router_that_says_so(lab: Lab, family: Family) -> None:
    with lab.reject_tcp_port("r4", REJECTED_TCP_PORT):
        reports = [run_tuitrace(lab, family, "tcp", rounds=5, extra=["-p", str(REJECTED_TCP_PORT), "-m", "8"])
                   for _ in range(RUNS // 2)]
    tally(f"r4 rejects TCP/{REJECTED_TCP_PORT} IPv{family}", reports, "blocked")
    r4 = topology.hop_address("r4", family)
    for report in reports:
        (finding,) = report["findings"]
        assert finding["text"] == f"TCP/{REJECTED_TCP_PORT} is administratively prohibited by {r4} at hop 5."


def test_a_loop_between_two_routers_is_named(lab: Lab) -> None:
    with loop_between_r3_and_r4(lab):
        reports = [run_tuitrace(lab, 4, "icmp", rounds=3, extra=["-m", "12"]) for _ in range(RUNS // 2)]
    tally("route loop r3 <-> r4", reports, "routing_loop")
    r3, r4 = topology.hop_address("r3", 4), topology.hop_address("r4", 4)
    for report in reports:
        assert report["reached"] is False
        (finding,) = report["findings"]
        assert finding["kind"] == "routing_loop" and finding["ttl"] == 3
        assert finding["evidence"]["addresses"] == f"{r3} {r4}"


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_a_udp_port_that_swallows_probes_is_destination_silent(lab: Lab, family: Family) -> None:
    extra = ["-p", str(SILENT_UDP_PORT), "-m", "8"]
    reports = [run_tuitrace(lab, family, "udp-fixed", rounds=5, extra=extra) for _ in range(RUNS // 2)]
    tally(f"silent UDP/{SILENT_UDP_PORT} IPv{family}", reports, "destination_silent")
    for report in reports:
        (finding,) = report["findings"]
        assert (finding["kind"], finding["ttl"], finding["address"]) == (
            "destination_silent", 5, lab.target(family))


MIDDLEBOX_RUNS = 2
"""Runs per family and case in the default suite; ``-m long`` runs ``MIDDLEBOX_RUNS_LONG``."""
MIDDLEBOX_RUNS_LONG = 20


def forged_tcp_reset(lab: Lab, router: str, port: int) -> contextlib.AbstractContextManager[None]:
    """``router`` answers TCP to dst:``port`` with a RST forged from dst's address (FORWARD, after the TTL
    check), as a firewall in front of a server does."""
    tcp = ["-p", "tcp", "--dport", str(port), "-j", "REJECT", "--reject-with", "tcp-reset"]
    return lab.filter_rules(router, [("iptables", ["FORWARD", "-d", lab.target(4), *tcp]),
                                     ("ip6tables", ["FORWARD", "-d", lab.target(6), *tcp])])


def _forged_reset_runs(lab: Lab, family: Family, runs: int) -> None:
    with forged_tcp_reset(lab, "r3", OPEN_TCP_PORT):
        reports = [run_tuitrace(lab, family, "tcp", rounds=10, extra=["-p", str(OPEN_TCP_PORT), "-m", "8"])
                   for _ in range(runs)]
    tally(f"r3 forges a TCP reset for dst:{OPEN_TCP_PORT} IPv{family}", reports, "middlebox_answer")
    for report in reports:
        assert report["reached"] is False
        (finding,) = report["findings"]
        assert (finding["kind"], finding["ttl"], finding["address"]) == ("middlebox_answer", 3,
                                                                          lab.target(family)), finding
        assert finding["evidence"]["answer_hops"] == 3 and finding["evidence"]["echo_hops"] == 5


def _genuine_runs(lab: Lab, family: Family, runs: int) -> None:
    reports = [run_tuitrace(lab, family, "tcp", rounds=10, extra=["-p", str(port), "-m", "8"])
               for port in (OPEN_TCP_PORT, CLOSED_TCP_PORT) for _ in range(runs)]
    tally(f"genuine SYN-ACK and RST from dst IPv{family}", reports, None)
    for report in reports:
        assert report["reached"] is True
        assert "middlebox_answer" not in kinds(report), report["findings"]


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_a_forged_tcp_reset_is_a_middlebox_answer_and_not_reached(lab: Lab, family: Family) -> None:
    _forged_reset_runs(lab, family, MIDDLEBOX_RUNS)


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_a_genuine_tcp_destination_is_never_a_middlebox(lab: Lab, family: Family) -> None:
    _genuine_runs(lab, family, MIDDLEBOX_RUNS)


@pytest.mark.long
@pytest.mark.parametrize("family", topology.FAMILIES)
def test_middlebox_many_runs(lab: Lab, family: Family) -> None:
    _forged_reset_runs(lab, family, MIDDLEBOX_RUNS_LONG)
    _genuine_runs(lab, family, MIDDLEBOX_RUNS_LONG)


def _route_change_runs(lab: Lab, runs: int) -> None:
    """r1 sends the fixed ICMP flow through r2a, then through r2b: the route changed at hop 2."""
    reports = []
    for _ in range(runs):
        with pinned(lab, "r2a"):
            argv, proc = start(lab, "icmp", rounds=int((SETTLE_S + 3) / INTERVAL))
            time.sleep(SETTLE_S)
            route_via(lab, "r2b")
            reports.append(finish(argv, proc))
    tally("route change at r1 (r2a -> r2b) IPv4", reports, "path_change")
    for report in reports:
        (finding,) = report["findings"]
        assert (finding["kind"], finding["ttl"], finding["address"]) == (
            "path_change", 2, topology.hop_address("r2b", 4)), finding
        assert finding["evidence"]["changes"] == 1


def test_a_route_change_under_a_fixed_flow_is_a_path_change(lab: Lab) -> None:
    _route_change_runs(lab, 1)


@pytest.mark.long
def test_path_change_many_runs(lab: Lab) -> None:
    _route_change_runs(lab, 10)
