"""The lab proves itself with Debian traceroute and mtr before any tuitrace test relies on it.

If one of these fails, a failing tuitrace lab test says nothing about tuitrace.
"""

from __future__ import annotations

import pytest

from tests.lab import topology
from tests.lab.binomial import binomial_bounds
from tests.lab.conftest import CLOSED_TCP_PORT, OPEN_TCP_PORT, REJECTED_TCP_PORT, SILENT_UDP_PORT
from tests.lab.debian import TracerouteHop
from tests.lab.netlab import Lab, lab_available
from tests.lab.topology import FAMILIES, Family

pytestmark = pytest.mark.lab

FIXED_FLOW_SPORT: dict[str, int | None] = {"icmp": None, "tcp": 40100, "udp-fixed": 40101}
"""Debian traceroute opens a socket per probe; ``--sport`` keeps the 5-tuple of TCP/UDP probes fixed."""


def addresses(hops: list[TracerouteHop]) -> list[frozenset[str]]:
    return [hop.addresses for hop in hops]


def on_one_path(seen: list[frozenset[str]], expected: list[frozenset[str]]) -> bool:
    """Each TTL answered by exactly one of the addresses expected there (a fixed flow: one ECMP branch)."""
    return len(seen) == len(expected) and all(
        len(got) == 1 and got <= allowed for got, allowed in zip(seen, expected, strict=True))


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", sorted(FIXED_FLOW_SPORT))
def test_fixed_flow_follows_one_branch_to_dst(lab: Lab, family: Family, method: str) -> None:
    hops = lab.traceroute(family, method, queries=10, sport=FIXED_FLOW_SPORT[method])
    expected = lab.expected_hops(family)
    assert [hop.ttl for hop in hops] == list(range(1, len(expected) + 1))
    for hop, allowed in zip(hops, expected, strict=True):
        assert len(hop.addresses) == 1, f"TTL {hop.ttl}: {sorted(hop.addresses)}"
        assert hop.addresses <= allowed
        assert hop.stars == 0


@pytest.mark.parametrize("family", FAMILIES)
def test_classic_udp_sees_both_ecmp_branches(lab: Lab, family: Family) -> None:
    hops = lab.traceroute(family, "udp", queries=10)
    assert addresses(hops) == lab.expected_hops(family)
    assert len(hops[topology.ECMP_TTL - 1].addresses) == 2


@pytest.mark.parametrize("family", FAMILIES)
def test_silenced_router_is_a_star_hop_and_the_trace_goes_on(lab: Lab, family: Family) -> None:
    with lab.silence("r3"):
        hops = lab.traceroute(family, "icmp", queries=3)
    expected = lab.expected_hops(family)
    assert hops[2].addresses == frozenset() and hops[2].stars == 3
    assert on_one_path(addresses(hops)[3:], expected[3:])
    # Undone on leaving the block.
    assert addresses(lab.traceroute(family, "icmp", queries=1))[2] == expected[2]


@pytest.mark.parametrize("family", FAMILIES)
def test_loss_at_one_router_only(lab: Lab, family: Family) -> None:
    rounds, rate = 200, 0.3
    with lab.loss("r3", rate):
        hops = lab.mtr(family, "icmp", count=rounds, interval=0.01)
    assert [hop.ttl for hop in hops] == [1, 2, 3, 4, 5]
    lo, hi = binomial_bounds(rounds, rate)
    assert lo <= round(hops[2].loss_pct * rounds / 100) <= hi, hops[2]
    assert [hop.loss_pct for hop in hops if hop.ttl != 3] == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("family", FAMILIES)
def test_rejected_tcp_port_gives_admin_prohibited(lab: Lab, family: Family) -> None:
    with lab.reject_tcp_port("r4", REJECTED_TCP_PORT):
        hops = lab.traceroute(family, "tcp", port=REJECTED_TCP_PORT, sport=40102, queries=2, max_hops=6)
        r4 = lab.address("r4", family)
        assert hops[3].addresses == {r4} and hops[3].annotations == set()
        assert hops[4].addresses == {r4} and hops[4].annotations == {"!X"}
        assert len(hops) == 5
        # Another port to the same destination is not affected.
        other = lab.traceroute(family, "tcp", port=CLOSED_TCP_PORT, sport=40103, queries=1)
        assert other[-1].addresses == {lab.target(family)}


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("annotation", ["!N", "!H"])
def test_unreachable_subnets(lab: Lab, family: Family, annotation: str) -> None:
    case = topology.unreachable(family, annotation)
    hops = lab.traceroute(family, "icmp", case.address, queries=3, max_hops=7)
    assert len(hops) == case.ttl
    assert on_one_path(addresses(hops)[: case.ttl - 1], lab.expected_hops(family)[: case.ttl - 1])
    last = hops[-1]
    assert last.addresses == {case.responder}
    assert last.responders[case.responder].annotations == {annotation}
    assert last.responders[case.responder].replies == 3


def established_or_half_open(lab: Lab, port: int) -> list[str]:
    out = lab.run("dst", ["ss", "-Htan", "state", "syn-recv", "state", "established"], check=True).stdout
    return [line for line in out.splitlines() if f":{port} " in line]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("port", [OPEN_TCP_PORT, CLOSED_TCP_PORT])
def test_tcp_reaches_open_and_closed_ports_leaving_no_connection(lab: Lab, family: Family, port: int) -> None:
    hops = lab.traceroute(family, "tcp", port=port, sport=40104, queries=3)
    assert hops[-1].addresses == {lab.target(family)}
    assert hops[-1].responders[lab.target(family)].replies == 3
    assert established_or_half_open(lab, port) == []


def test_open_port_really_listens(lab: Lab) -> None:
    """The open port is open: a real connection is established (and then closed)."""
    script = (f"import socket; s = socket.create_connection(('{lab.target(4)}', {OPEN_TCP_PORT}), 2); "
              "print(s.getpeername()[1]); s.close()")
    assert lab.run("src", ["python3", "-c", script], check=True).stdout.strip() == str(OPEN_TCP_PORT)


@pytest.mark.parametrize("family", FAMILIES)
def test_udp_to_a_silent_listener_never_reaches(lab: Lab, family: Family) -> None:
    hops = lab.traceroute(family, "udp-fixed", port=SILENT_UDP_PORT, sport=40105, queries=2, max_hops=6,
                          wait=0.5)
    assert on_one_path(addresses(hops)[:4], lab.expected_hops(family)[:4])
    assert all(hop.addresses == frozenset() and hop.stars == 2 for hop in hops[4:])
    assert len(hops) == 6
    # The same destination answers a closed UDP port: it is the listener that stays silent.
    closed = lab.traceroute(family, "udp-fixed", port=SILENT_UDP_PORT + 1, sport=40106, queries=1)
    assert closed[-1].addresses == {lab.target(family)}


@pytest.mark.parametrize("family", FAMILIES)
def test_kernel_default_rate_limit_shows_as_loss(lab: Lab, family: Family) -> None:
    """The lab switches ICMP rate limits off; with the kernel's defaults back, fast probing loses replies."""
    with lab.default_icmp_ratelimit("r1"):
        limited = lab.traceroute(family, "icmp", queries=10, max_hops=1, wait=0.5)
    unlimited = lab.traceroute(family, "icmp", queries=10, max_hops=1, wait=0.5)
    # The kernel's token bucket lets a burst of about 6 through, then one per rate-limit period.
    assert limited[0].stars >= 3
    assert unlimited[0].stars == 0


def test_two_labs_coexist_and_vanish() -> None:
    if (reason := lab_available()) is not None:
        pytest.skip(reason)
    with Lab() as first, Lab() as second:
        assert first.prefix != second.prefix
        names = [first.ns(node) for node in topology.NODES] + [second.ns(node) for node in topology.NODES]
        listed = lab_namespaces()
        assert set(names) <= listed
        for built in (first, second):
            hops = built.traceroute(4, "icmp", queries=1)
            assert hops[-1].addresses == {built.target(4)}
    assert not set(names) & lab_namespaces()


def test_lab_is_removed_after_an_exception() -> None:
    if (reason := lab_available()) is not None:
        pytest.skip(reason)
    built = Lab()
    with pytest.raises(KeyboardInterrupt), built:
        built.listen_tcp(OPEN_TCP_PORT)
        raise KeyboardInterrupt
    assert not {built.ns(node) for node in topology.NODES} & lab_namespaces()


def lab_namespaces() -> set[str]:
    import subprocess

    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}
