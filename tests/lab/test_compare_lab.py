"""Compare mode against real kernel routers: TCP to a port r4 rejects, side by side with ICMP.

r4 rejects TCP to dst:8443 with admin-prohibited in FORWARD (after the TTL check), so the TCP probe with
TTL 5 gets ``!X`` from r4 while ICMP goes on to dst at hop 5. Both settings run in the same rounds of one
tuitrace; the verdict must name hop 5 and ``!X``, and each setting's counts must be its own. And r1 steering
ICMP and TCP through different routers (policy routing by protocol) shows the hop where the paths split.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import pytest

from tests.lab import topology
from tests.lab.conftest import OPEN_TCP_PORT, REJECTED_TCP_PORT
from tests.lab.netlab import Lab
from tests.lab.test_lab_selfcheck import on_one_path
from tests.lab.topology import FAMILIES, Family, hop_address
from tests.lab.tuitrace_run import REPO, environment, parse_report

pytestmark = pytest.mark.lab

ROUNDS = 8


@pytest.mark.parametrize("family", FAMILIES)
def test_tcp_blocked_at_r4_diverges_from_icmp_at_hop_5(lab: Lab, family: Family) -> None:
    argv = [sys.executable, "-m", "tuitrace", "--json", "-n", "--no-lookups", f"-{family}", "-c", str(ROUNDS),
            "-i", "0.05", "-w", "0.5", "--compare", f"icmp,tcp:{REJECTED_TCP_PORT}", lab.target(family)]
    with lab.reject_tcp_port("r4", REJECTED_TCP_PORT):
        done = lab.run("src", argv, timeout=120, env=environment(), cwd=REPO)
    report = parse_report(argv, done.returncode, done.stdout, done.stderr)
    compare = report["compare"]
    tcp = f"TCP/{REJECTED_TCP_PORT}"
    assert [s["label"] for s in compare["settings"]] == ["ICMP", tcp]
    r4 = hop_address("r4", family)
    assert f"{tcp} is blocked at hop 5 (!X" in compare["verdict"]
    assert r4 in compare["verdict"]
    blocked = [d for d in compare["divergence"] if d["kind"] == "blocked"]
    assert blocked == [{"ttl": 5, "kind": "blocked", "setting": tcp, "reference": "ICMP", "responder": r4,
                        "annotation": "!X", "rejoins": None, "text": blocked[0]["text"]}]
    hops = {hop["ttl"]: hop for hop in compare["hops"]}
    assert sorted(hops) == [1, 2, 3, 4, 5]
    icmp_5, tcp_5 = hops[5]["settings"]
    assert icmp_5["reached"] is True and icmp_5["responders"] == [lab.target(family)]
    assert tcp_5["responders"] == [r4] and tcp_5["annotations"] == ["!X"] and not tcp_5["reached"]
    for ttl, hop in hops.items():
        for cell in hop["settings"]:
            assert cell["sent"] == ROUNDS and cell["received"] == ROUNDS, (ttl, cell)
    expected = lab.expected_hops(family)
    for index in range(2):
        seen = [frozenset(hops[ttl]["settings"][index]["responders"]) for ttl in range(1, 5)]
        assert on_one_path(seen, expected[:4]), seen
    kinds = [(f["kind"], f["ttl"]) for f in report["findings"] if f["kind"] == "protocol_divergence"]
    assert ("protocol_divergence", 5) in kinds
    assert report["reached"] is True  # the reference, ICMP, reaches dst


@contextlib.contextmanager
def steered_by_protocol(lab: Lab) -> Iterator[None]:
    """r1 sends ICMP to dst through r2a and TCP through r2b (policy routing by protocol, ``ip rule
    ipproto``), instead of hashing both over the ECMP pair; removed again afterwards."""
    dst_net = topology.subnet(5, 4)
    commands = [
        (["ip", "route", "add", dst_net, "via", hop_address("r2a", 4), "table", "101"],
         ["ip", "route", "del", dst_net, "table", "101"]),
        (["ip", "route", "add", dst_net, "via", hop_address("r2b", 4), "table", "102"],
         ["ip", "route", "del", dst_net, "table", "102"]),
        (["ip", "rule", "add", "pref", "101", "ipproto", "icmp", "lookup", "101"],
         ["ip", "rule", "del", "pref", "101"]),
        (["ip", "rule", "add", "pref", "102", "ipproto", "tcp", "lookup", "102"],
         ["ip", "rule", "del", "pref", "102"]),
    ]
    undo: list[list[str]] = []
    try:
        for add, remove in commands:
            lab.run("r1", add, check=True)
            undo.append(remove)
        yield
    finally:
        for remove in reversed(undo):
            lab.run("r1", remove)


def test_a_protocol_steered_through_another_router_shows_the_hop_where_the_paths_split(lab: Lab) -> None:
    argv = [sys.executable, "-m", "tuitrace", "--json", "-n", "--no-lookups", "-4", "-c", str(ROUNDS),
            "-i", "0.05", "-w", "0.5", "--compare", f"icmp,tcp:{OPEN_TCP_PORT}", lab.target(4)]
    with steered_by_protocol(lab):
        done = lab.run("src", argv, timeout=120, env=environment(), cwd=REPO)
    compare = parse_report(argv, done.returncode, done.stdout, done.stderr)["compare"]
    tcp = f"TCP/{OPEN_TCP_PORT}"
    hop2 = next(hop for hop in compare["hops"] if hop["ttl"] == 2)
    branches = [[hop_address("r2a", 4)], [hop_address("r2b", 4)]]
    assert [cell["responders"] for cell in hop2["settings"]] == branches
    assert hop2["marks"] == [f"{tcp} other routers"]
    assert compare["verdict"] == f"{tcp} takes other routers than ICMP at hop 2 and rejoins at hop 3."
    assert [(d["ttl"], d["kind"], d["rejoins"]) for d in compare["divergence"]] == [(2, "other_routers", 3)]
