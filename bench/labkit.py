"""What the benchmarks add to the test lab: latency on a link, and tools run from src.

The lab (``tests.lab.netlab``) is shared with the tests and is not changed here; the benchmark only
adds a delay on one router, through the NFQUEUE delayer (``bench.delayer``), and removes it afterwards.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

from bench.tools import ROOT, disown, own, python_env, wait_or_kill
from tests.lab import topology
from tests.lab.netlab import Lab

QUEUE_NUM = 7
DELAY_ROUTER = "r3"
"""Packets forwarded by r3 (to r4 and dst, and their answers) wait here: hops 4 and 5 are far away."""


def src_address() -> str:
    return topology.segment("src", "r1").address("src", 4)


def src_interface() -> str:
    return topology.segment("src", "r1").dev("src")


def in_src(lab: Lab, argv: list[str]) -> list[str]:
    return lab.argv("src", argv)


def tuitrace_argv(lab: Lab, *options: str) -> list[str]:
    return in_src(lab, [sys.executable, "-m", "tuitrace", *options, lab.target(4)])


@contextlib.contextmanager
def delayed(lab: Lab, one_way_ms: float, router: str = DELAY_ROUTER) -> Iterator[None]:
    """Every packet ``router`` forwards waits ``one_way_ms``: paths through it gain twice that in RTT."""
    rule = ["FORWARD", "-j", "NFQUEUE", "--queue-num", str(QUEUE_NUM), "--queue-bypass"]
    argv = lab.argv(router, [sys.executable, "-m", "bench.delayer", str(QUEUE_NUM), f"{one_way_ms:g}"])
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env=python_env(), cwd=ROOT)
    own(proc)
    try:
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the NFQUEUE delayer did not start (is netfilterqueue installed?)")
        lab.run(router, ["iptables", "-w", "-I", *rule], check=True)
        try:
            yield
        finally:
            lab.run(router, ["iptables", "-w", "-D", *rule], check=True)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()  # the delayer's signal to stop
        wait_or_kill(proc, 5)
        if proc.stdout is not None:
            proc.stdout.close()
        disown(proc)
