"""``--mtu``, ``-F`` and ``-q`` against real kernel routers: the r3 - r4 link gets MTU 1300.

Probes leave src at 1500 bytes (src's link MTU) with Don't Fragment; r3 cannot forward them to r4 and
answers fragmentation needed (ICMPv6: Packet Too Big) with MTU 1300. tuitrace must shrink its probes,
show ``F=1300`` on hop 4 (r4, the first hop past the small link) and ``F=1500`` on hop 1, and still reach
dst, with no hop showing r3's !F as an answer. Debian ``traceroute --mtu`` on the same path reports
F=1300 at the same hop; tuitrace runs after it, when src's kernel has learnt the path MTU of 1300, and
must still find the hop (probes ignore the learnt path MTU). That is forgotten after each test (``ip
route flush cache`` in src), so the other tests do not see it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest

from tests.lab import topology
from tests.lab.netlab import Lab
from tests.lab.topology import Family
from tests.lab.tuitrace_run import Report, run_tuitrace

pytestmark = pytest.mark.lab
SMALL_MTU = 1300
LINK_MTU = 1500


@contextlib.contextmanager
def small_link(lab: Lab, a: str = "r3", b: str = "r4") -> Iterator[None]:
    shared = topology.segment(a, b)
    for node in (a, b):
        lab.run(node, ["ip", "link", "set", "dev", shared.dev(node), "mtu", str(SMALL_MTU)], check=True)
    try:
        yield
    finally:
        for node in (a, b):
            lab.run(node, ["ip", "link", "set", "dev", shared.dev(node), "mtu", str(LINK_MTU)], check=True)
        for family in ("-4", "-6"):
            lab.run("src", ["ip", family, "route", "flush", "cache"])


def marks(report: Report, ttl: int) -> list[str]:
    (hop,) = (hop for hop in report["hops"] if hop["ttl"] == ttl)
    return [mark for responder in hop["responders"] for mark in responder["annotations"]]


def addresses(report: Report, ttl: int) -> set[str]:
    (hop,) = (hop for hop in report["hops"] if hop["ttl"] == ttl)
    return {responder["address"] for responder in hop["responders"]}


@pytest.mark.parametrize("family", [4, 6])
def test_mtu_discovery_shows_where_the_path_mtu_drops(lab: Lab, family: Family) -> None:
    with small_link(lab):
        report = run_tuitrace(lab, family, "icmp", rounds=4, extra=["--mtu"])
    assert report["reached"], report
    assert report["path_length"] == 5
    assert f"F={LINK_MTU}" in marks(report, 1)
    assert marks(report, 4) == [f"F={SMALL_MTU}"]
    assert lab.address("r4", family) in addresses(report, 4)
    for ttl in (2, 3, 5):
        assert not [mark for mark in marks(report, ttl) if mark.startswith(("!", "F="))], ttl
    assert report["findings"] == [] or all(f["kind"] != "blocked" for f in report["findings"])


def test_debian_traceroute_finds_the_same_hop(lab: Lab) -> None:
    with small_link(lab):
        done = lab.run("src", ["traceroute", "-n", "--mtu", "-I", "-q", "1", "-w", "1", "-m", "8",
                               lab.target(4)], check=True)
        ours = run_tuitrace(lab, 4, "icmp", rounds=3, extra=["--mtu"])
    lines = re.finditer(r"^\s*(\d+)\s.*F=(\d+)", done.stdout, re.MULTILINE)
    drops = {int(match[1]): int(match[2]) for match in lines}
    assert drops.get(4) == SMALL_MTU, done.stdout
    assert marks(ours, 4) == [f"F={SMALL_MTU}"]


def test_dont_fragment_gets_the_routers_frag_needed_and_q_sends_several_per_hop(lab: Lab) -> None:
    with small_link(lab):
        big = run_tuitrace(lab, 4, "icmp", rounds=3, extra=["-F", "--packet-size", "1400", "-q", "2"])
        small = run_tuitrace(lab, 4, "icmp", rounds=3, extra=["-F", "--packet-size", "1300"])
    assert not big["reached"]
    assert f"!F-{SMALL_MTU}" in marks(big, 4)
    assert lab.address("r3", 4) in addresses(big, 4)
    assert all(hop["sent"] == 6 for hop in big["hops"] if hop["ttl"] < 4)
    assert small["reached"] and small["path_length"] == 5
