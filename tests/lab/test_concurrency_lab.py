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

import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path

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
they arrived (since fixed: an answer counts by its kernel arrival time, tests/fault/test_late_read.py)."""
LOOKALIKES = 3000
SILENT_ROUTER, SILENT_TTL = "r3", 3
"""r3 does not answer, so probes to TTL 3 stay in flight for the whole wait: the forger quotes those (with
the quoted address changed) and answers them with echo replies from the spoofed address."""
SPOOFED = {4: "10.201.0.77", 6: "fd00:201::77"}
"""The forged responder: an unused address on src's own segment, on no path to the target."""


def start_sender(lab: Lab, family: Family) -> tuple[list[str], subprocess.Popen[bytes]]:
    argv = [sys.executable, "-m", "tests.lab.lookalike_sender", "--family", str(family),
            "--local", lab.address("src", family), "--target", lab.target(family),
            "--spoofed", SPOOFED[family], "--count", str(LOOKALIKES), "--duration", "3",
            "--wait-for", "5", "--seed", str(family), "--silent-ttl", str(SILENT_TTL)]
    return argv, lab.popen("src", argv, env=environment(), cwd=REPO)


class KernelDrops:
    """Kernel drop counters of the raw sockets of a set of processes, sampled while they run."""

    def __init__(self, lab: Lab, family: Family, pids: list[int]) -> None:
        self._lab, self._table = lab, "/proc/net/raw" if family == 4 else "/proc/net/raw6"
        self._pids = pids
        self._inodes: list[set[int]] = [set() for _ in pids]
        self._drops: dict[int, int] = {}

    def sample(self) -> None:
        for index, pid in enumerate(self._pids):
            with contextlib.suppress(OSError):
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    with contextlib.suppress(OSError):
                        link = str(fd.readlink())
                        if link.startswith("socket:["):
                            self._inodes[index].add(int(link[8:-1]))
        for line in self._lab.run("src", ["cat", self._table]).stdout.splitlines()[1:]:
            fields = line.split()
            inode, drops = int(fields[9]), int(fields[-1])
            self._drops[inode] = max(self._drops.get(inode, 0), drops)

    def of(self, index: int) -> int:
        return sum(self._drops.get(inode, 0) for inode in self._inodes[index])


def check_own_counts(lab: Lab, family: Family, method: str, report: Report, lookalikes: int,
                     kernel_drops: int) -> None:
    expected = lab.expected_hops(family)
    on_path = frozenset().union(*expected)
    hops = report["hops"]
    where = f"IPv{family} {method}"
    assert report["reached"] is True, where
    assert [hop["ttl"] for hop in hops] == list(range(1, len(expected) + 1)), where
    silent = hops[SILENT_TTL - 1]
    assert (silent["received"], silent["responders"]) == (0, []), f"{where}: the silent hop answered"
    for hop in hops:
        assert addresses(hop) <= on_path, f"{where} TTL {hop['ttl']}: {sorted(addresses(hop))}"
        assert SPOOFED[family] not in addresses(hop)
        assert hop["sent"] == ROUNDS, f"{where} TTL {hop['ttl']}"
        assert sum(r["received"] for r in hop["responders"]) == hop["received"], f"{where} TTL {hop['ttl']}"
    missing = sum(ROUNDS - hop["received"] for hop in hops if hop["ttl"] != SILENT_TTL)
    assert missing <= kernel_drops, (f"{where}: {missing} answers missing, the kernel dropped only "
                                     f"{kernel_drops} packets on its sockets: "
                                     f"{[(hop['ttl'], hop['received']) for hop in hops]}")
    assert report["dropped"] >= lookalikes, f"{where}: dropped {report['dropped']} < {lookalikes} look-alikes"


@pytest.mark.parametrize("family", FAMILIES)
def test_four_tracers_a_ping_flood_and_a_forger_each_tracer_counts_only_its_own(
    lab: Lab, family: Family
) -> None:
    with lab.silence(SILENT_ROUTER):
        reports, out, still_running, drops = run_everything(lab, family)
    assert all(still_running), "a tracer ended before the last look-alike was sent: raise ROUNDS"
    sent = json.loads(out)
    assert sent["icmp_messages"] == LOOKALIKES
    assert set(sent["sent"]) == {"made-up", "far-key", "wrong-dst", "wrong-src", "echo-reply"}
    for index, (method, report) in enumerate(zip(METHODS, reports, strict=True)):
        check_own_counts(lab, family, method, report, LOOKALIKES, drops.of(index))


def run_everything(lab: Lab, family: Family) -> tuple[list[Report], bytes, list[bool], KernelDrops]:
    ping = lab.popen("src", ["ping", f"-{family}", "-f", "-q", lab.target(family)])
    try:
        runs = [start_tuitrace(lab, family, method, rounds=ROUNDS, interval=0.05, wait=WAIT)
                for method in METHODS]
        drops = KernelDrops(lab, family, [proc.pid for _, proc in runs])
        sender_argv, sender = start_sender(lab, family)
        while sender.poll() is None:
            drops.sample()
            time.sleep(0.1)
        out, err = sender.communicate(timeout=60)
        still_running = [proc.poll() is None for _, proc in runs]
        assert sender.returncode == 0, f"{' '.join(sender_argv)}: {err.decode()}"
    finally:
        ping.terminate()
        ping.wait()
    while any(proc.poll() is None for _, proc in runs):
        drops.sample()
        time.sleep(0.1)
    return [finish(argv, proc) for argv, proc in runs], out, still_running, drops
