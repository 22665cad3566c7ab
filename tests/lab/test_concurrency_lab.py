"""Four tracers, a ping flood and a forger on one host: every tracer counts exactly its own probes.

On a shared host a raw ICMP socket receives every ICMP message: the other tracers' answers, ping's echo
replies, and errors about flows that are not ours. Here four tuitraces (ICMP, classic UDP, fixed UDP, TCP)
trace the lab's target from src at once, ``ping -f`` floods the same target from src, and a foreign tool
(``tests/lab/lookalike_sender.py``) sends src look-alike ICMP errors from an address on no path: quotes of
made-up probes, of real identities with keys never sent, of real probes with the quoted address changed,
and echo replies with a real id and sequence. The lab loses nothing, so each tracer must show every hop
answered in every round, only the lab's own addresses, and have dropped at least every look-alike (each
reaches every raw ICMP socket in src).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.lab.netlab import Lab
from tests.lab.topology import FAMILIES, Family
from tests.lab.tuitrace_run import REPO, Report, addresses, environment, finish, start_tuitrace

pytestmark = pytest.mark.lab

METHODS = ("icmp", "udp", "udp-fixed", "tcp")
ROUNDS = 200
"""At 20 rounds/s: about 10 s, so that the look-alikes (sent over the middle 3 s) all arrive while every
tracer runs."""
WAIT = 5.0
"""Generous: under a ping flood on a loaded 2-core host the engine can read answers more than 0.5 s after
they arrived, and it then counts them lost (tests/fault/test_late_read.py, an engine bug)."""
LOOKALIKES = 3000
SPOOFED = {4: "10.201.0.77", 6: "fd00:201::77"}
"""The forged responder: an unused address on src's own segment, on no path to the target."""


def start_sender(lab: Lab, family: Family) -> tuple[list[str], subprocess.Popen[bytes]]:
    argv = [sys.executable, "-m", "tests.lab.lookalike_sender", "--family", str(family),
            "--local", lab.address("src", family), "--target", lab.target(family),
            "--spoofed", SPOOFED[family], "--count", str(LOOKALIKES), "--duration", "3",
            "--wait-for", "5", "--seed", str(family)]
    return argv, lab.popen("src", argv, env=environment(), cwd=REPO)


def check_own_counts(lab: Lab, family: Family, method: str, report: Report, lookalikes: int) -> None:
    expected = lab.expected_hops(family)
    on_path = frozenset().union(*expected)
    hops = report["hops"]
    where = f"IPv{family} {method}"
    assert report["reached"] is True, where
    assert [hop["ttl"] for hop in hops] == list(range(1, len(expected) + 1)), where
    for hop in hops:
        assert (hop["sent"], hop["received"]) == (ROUNDS, ROUNDS), f"{where} TTL {hop['ttl']}"
        assert addresses(hop) <= on_path, f"{where} TTL {hop['ttl']}: {sorted(addresses(hop))}"
        assert SPOOFED[family] not in addresses(hop)
        assert sum(r["received"] for r in hop["responders"]) == ROUNDS, f"{where} TTL {hop['ttl']}"
    assert report["dropped"] >= lookalikes, f"{where}: dropped {report['dropped']} < {lookalikes} look-alikes"


@pytest.mark.parametrize("family", FAMILIES)
def test_four_tracers_a_ping_flood_and_a_forger_each_tracer_counts_only_its_own(
    lab: Lab, family: Family
) -> None:
    ping = lab.popen("src", ["ping", f"-{family}", "-f", "-q", lab.target(family)])
    try:
        runs = [start_tuitrace(lab, family, method, rounds=ROUNDS, interval=0.05, wait=WAIT)
                for method in METHODS]
        sender_argv, sender = start_sender(lab, family)
        out, err = sender.communicate(timeout=60)
        still_running = [proc.poll() is None for _, proc in runs]
        assert sender.returncode == 0, f"{' '.join(sender_argv)}: {err.decode()}"
        reports = [finish(argv, proc) for argv, proc in runs]
    finally:
        ping.terminate()
        ping.wait()
    assert all(still_running), "a tracer ended before the last look-alike was sent: raise ROUNDS"
    sent = json.loads(out)
    assert sent["icmp_messages"] == LOOKALIKES
    assert set(sent["sent"]) == {"made-up", "far-key", "wrong-dst", "wrong-src", "echo-reply"}
    for method, report in zip(METHODS, reports, strict=True):
        check_own_counts(lab, family, method, report, LOOKALIKES)
