"""``python -m bench.mda``: ``tuitrace --mda`` against scamper's ``tracelb`` on the namespace lab, in one run.

Run as root from the checkout (``sudo .venv/bin/python -m bench.mda [--runs N]``; Debian ``scamper``
installed). Both tools run alternately, N times each, per probe kind (UDP: tracelb ``udp-dport``; TCP:
``tcp-sport``), IPv4, 95% confidence (or ``--confidence 99``), against the lab's r1 -> r2a | r2b -> r3
stage. Figures:

- discovery rate: runs that found every interface and link of the lab (and nothing else);
- probes: the discovery's own probes (tuitrace's JSON ``mda.probes``, tracelb's ``probec``), mean over runs;
- wall time: spawn to exit, mean over runs. tracelb waits at least 150 ms between probes (its ``-W``
  floor); tuitrace sends each batch at once, so this mostly measures that design difference.

tracelb finds the first hop with one probe and does not test it for a second interface; tuitrace applies
the rule there too (6 probes at 95%): on this lab that is the whole difference in probes (5).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from bench import labkit, tools
from bench.table import Row, ratio, render, yes
from tests.lab.netlab import Lab, lab_available
from tests.lab.scamper import Discovered, from_report, tracelb
from tests.lab.test_mda_lab import truth

METHOD_FLAGS = {"udp": ["-P", "udp"], "tcp": ["-T"]}


def ours(lab: Lab, method: str, confidence: int) -> Discovered:
    argv = labkit.tuitrace_argv(lab, "--report", "--json", "-n", "--no-lookups", "-c", "1", "-i", "0.05",
                                "-w", "1", "--mda", "--confidence", str(confidence), *METHOD_FLAGS[method])
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False,
                          env=tools.python_env())
    seconds = time.monotonic() - started
    if done.returncode != 0:  # counted as a run that found nothing, and said
        print(f"bench.mda: tuitrace exit {done.returncode}: {done.stderr.strip()[-2000:]}", file=sys.stderr)
        return Discovered({}, frozenset(), 0, seconds)
    return from_report(json.loads(done.stdout)["mda"], seconds)


def whole(found: Discovered) -> bool:
    real = truth(4)
    return found.interfaces == real.interfaces and found.links == real.links


def figures(lab: Lab, runs: int, confidence: int) -> list[Row]:
    rows: list[Row] = []
    for method in ("udp", "tcp"):
        mine: list[Discovered] = []
        theirs: list[Discovered] = []
        for _ in range(runs):
            mine.append(ours(lab, method, confidence))
            theirs.append(tracelb(lab, lab.target(4), method, confidence))
        my_rate = sum(map(whole, mine)) / runs
        their_rate = sum(map(whole, theirs)) / runs
        my_probes = statistics.mean(found.probes for found in mine)
        their_probes = statistics.mean(found.probes for found in theirs)
        my_time = statistics.mean(found.seconds for found in mine)
        their_time = statistics.mean(found.seconds for found in theirs)
        rows += [
            Row(f"MDA {method.upper()}: whole topology found ({runs} runs, {confidence}%)", f"{my_rate:.0%}",
                f"{their_rate:.0%} (tracelb)", "-", ">= 95%", yes(my_rate >= 0.95)),
            Row(f"MDA {method.upper()}: probes to discover", f"{my_probes:.1f}",
                f"{their_probes:.1f} (tracelb)",
                ratio(my_probes, their_probes), "<= 0.8x", yes(my_probes <= 0.8 * their_probes)),
            Row(f"MDA {method.upper()}: wall time", f"{my_time:.2f} s", f"{their_time:.2f} s (tracelb)",
                ratio(my_time, their_time), "<= 1x", yes(my_time <= their_time)),
        ]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mda", description="tuitrace --mda vs tracelb")
    parser.add_argument("--runs", type=int, default=20, help="runs per tool and probe kind (20)")
    parser.add_argument("--confidence", type=int, choices=[95, 99], default=95, help="for both tools (95)")
    args = parser.parse_args()
    reason = lab_available()
    if reason is not None:
        print(f"bench.mda: {reason}", file=sys.stderr)
        return 2
    with Lab() as lab:
        print(render(figures(lab, args.runs, args.confidence)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
