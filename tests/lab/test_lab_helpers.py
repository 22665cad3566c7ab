"""The lab's helpers that need no root: reading traceroute/mtr output, loss bounds, the address plan."""

from __future__ import annotations

import ipaddress
import math

import pytest

from tests.lab import topology
from tests.lab.binomial import binomial_bounds
from tests.lab.debian import parse_mtr_report, parse_traceroute

TRACEROUTE = """\
traceroute to 10.201.5.2 (10.201.5.2), 8 hops max, 60 byte packets
 1  10.201.0.1  0.013 ms  0.003 ms  0.002 ms
 2  10.201.1.2  0.011 ms 10.201.2.2  0.003 ms  0.002 ms
 3  * * *
 4  10.201.4.2  0.008 ms !X *  0.004 ms !X
"""

MTR = """\
Start: 2026-11-21T23:42:29+0000
HOST: vm         Loss%   Snt   Last   Avg  Best  Wrst StDev
  1.|-- 10.201.0.1  0.0%    10    0.0   0.0   0.0   0.0   0.0
  2.|-- 10.201.2.2  0.0%    10    0.0   0.0   0.0   0.0   0.0
        10.201.1.2
  3.|-- ???        100.0    10    0.0   0.0   0.0   0.0   0.0
  4.|-- 10.201.4.2 30.0%    10    0.0   0.0   0.0   0.0   0.0
"""


def test_traceroute_output_is_read_per_ttl_and_responder() -> None:
    hops = parse_traceroute(TRACEROUTE)
    assert [hop.ttl for hop in hops] == [1, 2, 3, 4]
    assert hops[0].responders["10.201.0.1"].replies == 3
    assert hops[1].addresses == {"10.201.1.2", "10.201.2.2"}
    assert (hops[1].responders["10.201.1.2"].replies, hops[1].responders["10.201.2.2"].replies) == (1, 2)
    assert (hops[2].addresses, hops[2].stars) == (frozenset(), 3)
    assert hops[3].responders["10.201.4.2"].annotations == {"!X"}
    assert (hops[3].responders["10.201.4.2"].replies, hops[3].stars) == (2, 1)


def test_mtr_report_is_read_with_extra_ecmp_responders() -> None:
    hops = parse_mtr_report(MTR)
    assert [(hop.ttl, hop.addresses, hop.loss_pct, hop.sent) for hop in hops] == [
        (1, ("10.201.0.1",), 0.0, 10),
        (2, ("10.201.2.2", "10.201.1.2"), 0.0, 10),
        (3, (), 100.0, 10),
        (4, ("10.201.4.2",), 30.0, 10),
    ]


@pytest.mark.parametrize(("n", "p"), [(200, 0.3), (50, 0.05), (1000, 0.5)])
def test_binomial_bounds_leave_out_at_most_alpha_and_are_tight(n: int, p: float) -> None:
    alpha = 1e-6
    lo, hi = binomial_bounds(n, p, alpha)

    def pmf(k: int) -> float:
        return math.comb(n, k) * p**k * (1 - p) ** (n - k)

    below, above = sum(pmf(k) for k in range(lo)), sum(pmf(k) for k in range(hi + 1, n + 1))
    assert below <= alpha / 2 and above <= alpha / 2
    assert below + pmf(lo) > alpha / 2 and above + pmf(hi) > alpha / 2
    assert lo < n * p < hi


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_every_lab_address_is_inside_the_lab_prefix(family: topology.Family) -> None:
    aggregate = ipaddress.ip_network(topology.AGGREGATE[family])
    nodes = {node: topology.hop_address(node, family) for node in topology.NODES}
    assert len(set(nodes.values())) == len(nodes)
    special = [topology.unreachable(family, mark).address for mark in ("!N", "!H")]
    for address in [*nodes.values(), *special]:
        assert ipaddress.ip_address(address) in aggregate
    assert all(ipaddress.ip_address(address).is_private for address in nodes.values())


def test_expected_hops_follow_the_path() -> None:
    both = topology.expected_hops(4)
    assert [len(hop) for hop in both] == [1, 2, 1, 1, 1]
    assert topology.expected_hops(4, branch="r2b")[1] == {topology.hop_address("r2b", 4)}
    assert topology.expected_hops(6, to="r3")[-1] == {topology.hop_address("r3", 6)}
