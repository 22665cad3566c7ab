"""The event log against real kernel routers (issue 12's quality bar): a route change on the ECMP router
while one fixed flow is traced is one ``path_change`` at the right hop, timed within a second; a 2 s
outage (an iptables DROP on the first router) is one ``loss_burst`` of about 2 s; a clean run tells only
that the destination was reached (and no ``setting``: a headless run has no keys)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.lab import topology
from tests.lab.netlab import Lab
from tests.lab.tuitrace_run import REPO, environment, finish, tuitrace_argv

pytestmark = pytest.mark.lab

INTERVAL = 0.1
SETTLE_S = 4.0
"""Time for tuitrace to start and learn the path before the change (Python starts in ~1 s)."""
DST_SUBNET = topology.subnet(5, 4)


def start(
    lab: Lab, method: str, rounds: int, interval: float = INTERVAL
) -> tuple[list[str], subprocess.Popen[bytes]]:
    argv = tuitrace_argv(4, method, lab.target(4), rounds=rounds, interval=interval, wait=0.5)
    return argv, lab.popen("src", argv, env=environment())


def epoch(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(event["time"]).replace("Z", "+00:00")).timestamp()


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [str(event["kind"]) for event in events]


def route_via(lab: Lab, branch: str) -> None:
    """r1 sends everything for the destination's subnet through ``branch`` only (no ECMP)."""
    shared = topology.segment("r1", branch)
    lab.run("r1", ["ip", "route", "replace", DST_SUBNET, "via", shared.address(branch, 4), "dev",
                   shared.dev("r1")], check=True)


@contextlib.contextmanager
def pinned(lab: Lab, branch: str) -> Iterator[None]:
    route_via(lab, branch)
    try:
        yield
    finally:
        [original] = [r for r in topology.routes("r1", 4) if r.startswith(DST_SUBNET)]
        lab.run("r1", ["ip", "route", "replace", *original.split()], check=True)


def test_a_route_change_on_the_ecmp_router_is_one_path_change_at_hop_two(lab: Lab) -> None:
    with pinned(lab, "r2a"):
        argv, proc = start(lab, "icmp", rounds=int((SETTLE_S + 6) / INTERVAL))
        time.sleep(SETTLE_S)
        changed_at = time.time()
        route_via(lab, "r2b")
        report = finish(argv, proc)
    events = report["events"]
    assert kinds(events) == ["reached", "path_change"], events
    change = events[1]
    assert (change["ttl"], change["address"]) == (2, topology.hop_address("r2b", 4))
    assert topology.hop_address("r2a", 4) in change["text"]
    assert abs(epoch(change) - changed_at) < 1.0


def test_a_two_second_outage_at_the_first_router_is_one_loss_burst_of_about_two_seconds(lab: Lab) -> None:
    drop = ["FORWARD", "-d", lab.target(4), "-j", "DROP"]
    argv, proc = start(lab, "icmp", rounds=int((SETTLE_S + 6) / INTERVAL))
    time.sleep(SETTLE_S)
    lab.run("r1", ["iptables", "-w", "-I", *drop], check=True)
    began = time.time()
    time.sleep(2.0)
    ended_before = time.time()
    lab.run("r1", ["iptables", "-w", "-D", *drop], check=True)
    ended = time.time()
    report = finish(argv, proc)
    events = report["events"]
    bursts = [e for e in events if e["kind"] == "loss_burst"]
    assert len(bursts) == 1, events
    [burst] = bursts
    assert burst["ttl"] == 5 and burst["address"] == lab.target(4)
    assert ended_before - began - 0.3 <= burst["duration_s"] <= ended - began + 2 * INTERVAL + 0.3
    assert abs(epoch(burst) - began) < 0.5
    assert kinds(events) == ["reached", "lost", "loss_burst", "reached"]


@pytest.mark.parametrize("method", ["icmp", pytest.param("udp", marks=pytest.mark.long)])
def test_a_clean_minute_tells_only_that_the_destination_was_reached(lab: Lab, method: str) -> None:
    argv, proc = start(lab, method, rounds=300, interval=0.2)
    report = finish(argv, proc)
    assert kinds(report["events"]) == ["reached"], report["events"]


def test_stream_writes_every_round_of_the_real_path_and_the_events(lab: Lab) -> None:
    argv = [sys.executable, "-m", "tuitrace", "--stream", "-n", "--no-lookups", "-4", "-I", "-c", "20", "-i",
            "0.05", "-w", "0.5", lab.target(4)]
    done = lab.run("src", argv, timeout=120, env=environment(), cwd=REPO)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    rounds = [r for r in records if r["type"] == "round"]
    assert [r["round"] for r in rounds] == list(range(20))
    expected = lab.expected_hops(4)
    for record in rounds:
        assert [h["ttl"] for h in record["hops"]] == list(range(1, len(expected) + 1))
        assert all(h["address"] in want for h, want in zip(record["hops"], expected, strict=True))
        assert record["hops"][-1]["outcome"] == "reached"
    assert [r["kind"] for r in records if r["type"] == "event"] == ["reached"]
