"""Run the tuitrace command line inside the lab's src namespace and read its JSON report.

The lab tests drive tuitrace exactly as a user would (``python -m tuitrace --report --json ...``), so what
they check is what a user gets; this module keeps the command line and the JSON reading in one place.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tests.lab.netlab import Lab
from tests.lab.topology import Family

REPO = Path(__file__).resolve().parents[2]

METHOD_ARGS = {"icmp": ["-I"], "udp": ["-P", "udp"], "udp-fixed": ["-U"], "tcp": ["-T"]}
"""tuitrace's options per probe kind; "udp" is classic UDP (33434 + n), "udp-fixed" keeps one port."""

Report = dict[str, Any]
Hop = dict[str, Any]


def tuitrace_argv(family: Family, method: str, target: str, *, rounds: int, interval: float = 0.05,
                  wait: float = 0.5, extra: Sequence[str] = ()) -> list[str]:
    """The command line; ``--no-lookups`` and ``-n`` so that nothing but probes leaves src."""
    return [sys.executable, "-m", "tuitrace", "--report", "--json", "-n", "--no-lookups", f"-{family}",
            *METHOD_ARGS[method], "-c", str(rounds), "-i", str(interval), "-w", str(wait), *extra, target]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    return env


def run_tuitrace(lab: Lab, family: Family, method: str, target: str | None = None, *, rounds: int = 10,
                 interval: float = 0.05, wait: float = 0.5, extra: Sequence[str] = ()) -> Report:
    argv = tuitrace_argv(family, method, target or lab.target(family), rounds=rounds, interval=interval,
                         wait=wait, extra=extra)
    done = lab.run("src", argv, timeout=120, env=environment(), cwd=REPO)
    return parse_report(argv, done.returncode, done.stdout, done.stderr)


def start_tuitrace(lab: Lab, family: Family, method: str, *, rounds: int, interval: float = 0.05,
                   wait: float = 0.5) -> tuple[list[str], subprocess.Popen[bytes]]:
    argv = tuitrace_argv(family, method, lab.target(family), rounds=rounds, interval=interval, wait=wait)
    return argv, lab.popen("src", argv, env=environment(), cwd=REPO)


def finish(argv: list[str], proc: subprocess.Popen[bytes]) -> Report:
    out, err = proc.communicate(timeout=120)
    return parse_report(argv, proc.returncode, out.decode(), err.decode())


def parse_report(argv: list[str], returncode: int, stdout: str, stderr: str) -> Report:
    command = " ".join(argv[1:])
    if returncode != 0:
        raise AssertionError(f"{command}: exit {returncode}\n{stderr}")
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"{command}: no JSON on stdout ({exc})\n{stdout[:2000]}\n{stderr}") from exc
    if not isinstance(report, dict):
        raise AssertionError(f"{command}: JSON is not an object")
    return report


def addresses(hop: Hop) -> frozenset[str]:
    return frozenset(str(responder["address"]) for responder in hop["responders"])


def path(report: Report) -> list[frozenset[str]]:
    """Responder addresses per hop, in the report's order."""
    return [addresses(hop) for hop in report["hops"]]


def responder(hop: Hop, address: str) -> dict[str, Any]:
    for candidate in hop["responders"]:
        if candidate["address"] == address:
            return dict(candidate)
    raise AssertionError(f"TTL {hop['ttl']}: no responder {address} among {sorted(addresses(hop))}")
