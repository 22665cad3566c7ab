"""``python -m bench.mda``: ``tuitrace --mda`` against scamper's ``tracelb`` in the namespace labs, one run.

Run as root from the checkout (``sudo .venv/bin/python -m bench.mda [--runs N] [--peer-runs M]``; Debian
``scamper`` installed). Two labs: the first (r1 -> r2a | r2b -> r3 -> r4 -> dst) and
:data:`tests.lab.topology.FOUR_TWO` (a 4-way stage meeting at r3, then a 2-way diamond meeting at r5).

- Discovery rate (FOUR_TWO, ``--runs`` runs per protocol and family, 95%): runs that found every interface
  and link and nothing else; for ICMP, runs that found one real branch per stage (the lab's routers hash
  ports, and an echo has none). Printed next to the rate the rule predicts (:func:`miss_probability`).
- Against tracelb (both labs, IPv4, UDP and TCP, ``--peer-runs`` runs, the tools alternating): probes of
  the discovery alone (tuitrace's JSON ``mda.probes``, tracelb's ``probec``), wall time from spawn to exit
  (tuitrace's includes one round of the trace after discovery; tracelb waits at least 150 ms between
  probes, tuitrace sends each batch at once), and runs that found the whole lab.
  tuitrace's ``--confidence 95`` holds per run; tracelb's ``-c 95`` per step (per interface and
  hypothesis), a weaker promise on a path with several load-balanced stages, and ``-c 99`` per step a
  stronger one on these labs. So tuitrace is compared with both, and ``bench.mda_step`` counts what
  tuitrace's own discovery sends at tracelb's meaning of 95% (the same code with per-step levels).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from fractions import Fraction

from bench import tools
from bench.table import Row, ratio, render, yes
from tests.lab import topology
from tests.lab.multipath import four_two
from tests.lab.netlab import Lab, lab_available
from tests.lab.scamper import Discovered, from_report, tracelb
from tests.lab.test_mda_lab import plan_truth, truth
from tests.lab.topology import Family
from tuitrace.probe.mda_rule import miss_probability, run_level

METHOD_FLAGS = {"udp": ["-P", "udp"], "tcp": ["-T"], "icmp": ["-I"]}
NOTHING = Discovered({}, frozenset(), 0, 0.0)


def tuitrace_words(family: Family, method: str, confidence: int, target: str) -> list[str]:
    return ["--report", "--json", "-n", "--no-lookups", f"-{family}", "-c", "1", "-i", "0.05", "-w", "1",
            "--mda", "--confidence", str(confidence), *METHOD_FLAGS[method], target]


def run_json(lab: Lab, module: str, words: list[str]) -> tuple[dict[str, object] | None, float]:
    argv = lab.argv("src", [sys.executable, "-m", module, *words])
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False,
                          env=tools.python_env())
    seconds = time.monotonic() - started
    if done.returncode != 0:  # counted as a run that found nothing, and said
        print(f"bench.mda: {module} exit {done.returncode}: {done.stderr.strip()[-2000:]}", file=sys.stderr)
        return None, seconds
    document = json.loads(done.stdout)
    assert isinstance(document, dict)
    return document, seconds


def ours(lab: Lab, family: Family, method: str, confidence: int) -> Discovered:
    words = tuitrace_words(family, method, confidence, lab.target(family))
    document, seconds = run_json(lab, "tuitrace", words)
    if document is None:
        return NOTHING
    mda = document["mda"]
    assert isinstance(mda, dict)
    return from_report(mda, seconds)


def ours_per_step(lab: Lab, method: str, confidence: int) -> Discovered:
    """tuitrace's discovery at tracelb's meaning of the confidence (``bench.mda_step``, in-process)."""
    document, _ = run_json(lab, "bench.mda_step", tuitrace_words(4, method, confidence, lab.target(4)))
    if document is None:
        return NOTHING
    mda, seconds = document["mda"], document["seconds"]
    assert isinstance(mda, dict) and isinstance(seconds, float)
    return from_report(mda, seconds)


def is_whole(found: Discovered, real: Discovered) -> bool:
    return found.interfaces == real.interfaces and found.links == real.links


def one_branch(found: Discovered, real: Discovered) -> bool:
    """One interface per TTL, each on the lab's path, and its links real (what ICMP can find here)."""
    return (sorted(found.interfaces) == sorted(real.interfaces)
            and all(len(found.interfaces[ttl]) == 1 and found.interfaces[ttl] <= real.interfaces[ttl]
                    for ttl in real.interfaces)
            and found.links <= real.links and len(found.links) == len(real.interfaces) - 1)


def expected_rate(stages: list[int], confidence: int, *, per_run: bool) -> float:
    """The rule's chance of finding every branching stage whole (:func:`miss_probability`, even hashes)."""
    alpha = Fraction(100 - confidence, 100)
    found = Fraction(1)
    for index, ways in enumerate(stages):
        found *= 1 - miss_probability(ways, run_level(alpha, index) if per_run else alpha)
    return float(found)


STAGES = {"first lab": [2], "4+2 lab": [4, 2]}


def rate_rows(lab: Lab, runs: int, confidence: int) -> list[Row]:
    rows: list[Row] = []
    expected = expected_rate(STAGES["4+2 lab"], confidence, per_run=True)
    for method in ("udp", "tcp", "icmp"):
        for family in topology.FAMILIES:
            real = plan_truth(topology.FOUR_TWO, family)
            check = one_branch if method == "icmp" else is_whole
            hits = sum(check(ours(lab, family, method, confidence), real) for _ in range(runs))
            if method == "icmp":
                rows.append(Row(f"MDA 4+2 lab ICMP IPv{family}: one real branch per stage ({runs} runs)",
                                f"{hits}/{runs}", "-", "-", "report"))
            else:
                rows.append(Row(f"MDA 4+2 lab {method.upper()} IPv{family}: whole topology ({runs} runs, "
                                f"{confidence}%)", f"{hits}/{runs}", f"rule: {expected:.1%}", "-",
                                f">= {runs * 95 // 100}/{runs}", yes(hits >= runs * 0.95)))
    return rows


def mean(values: list[float]) -> float:
    return statistics.mean(values) if values else float("nan")


def peer_rows(lab: Lab, name: str, real: Discovered, runs: int) -> list[Row]:
    rows: list[Row] = []
    for method in ("udp", "tcp"):
        kinds: dict[str, Callable[[str], Discovered]] = {
            "tuitrace": lambda m: ours(lab, 4, m, 95),
            "tuitrace per step": lambda m: ours_per_step(lab, m, 95),
            "tracelb 95": lambda m: tracelb(lab, lab.target(4), m, 95),
            "tracelb 99": lambda m: tracelb(lab, lab.target(4), m, 99),
        }
        found: dict[str, list[Discovered]] = {kind: [] for kind in kinds}
        for _ in range(runs):
            for kind, run in kinds.items():
                found[kind].append(run(method))
        whole = {kind: sum(is_whole(f, real) for f in results) for kind, results in found.items()}
        seen = {kind: sum(f.interfaces == real.interfaces for f in done) for kind, done in found.items()}
        probes = {kind: mean([f.probes for f in results]) for kind, results in found.items()}
        wall = {kind: mean([f.seconds for f in results]) for kind, results in found.items()}
        label = f"MDA {name} {method.upper()}"
        rows += [
            Row(f"{label}: whole topology ({runs} runs; interfaces alone)",
                f"{whole['tuitrace']} ({seen['tuitrace']}); per step {whole['tuitrace per step']} "
                f"({seen['tuitrace per step']})",
                f"tracelb 95: {whole['tracelb 95']} ({seen['tracelb 95']}); "
                f"99: {whole['tracelb 99']} ({seen['tracelb 99']})"),
            Row(f"{label}: probes, tuitrace 95% per run vs tracelb 95% per step", f"{probes['tuitrace']:.1f}",
                f"{probes['tracelb 95']:.1f}", ratio(probes["tuitrace"], probes["tracelb 95"]), "<= 0.8x",
                yes(probes["tuitrace"] <= 0.8 * probes["tracelb 95"])),
            Row(f"{label}: probes, both 95% per step", f"{probes['tuitrace per step']:.1f}",
                f"{probes['tracelb 95']:.1f}", ratio(probes["tuitrace per step"], probes["tracelb 95"]),
                "<= 0.8x", yes(probes["tuitrace per step"] <= 0.8 * probes["tracelb 95"])),
            Row(f"{label}: probes, tuitrace 95% per run vs tracelb 99% per step", f"{probes['tuitrace']:.1f}",
                f"{probes['tracelb 99']:.1f}", ratio(probes["tuitrace"], probes["tracelb 99"]), "report"),
            Row(f"{label}: wall time, tuitrace 95% vs tracelb 95%", f"{wall['tuitrace']:.2f} s",
                f"{wall['tracelb 95']:.2f} s", ratio(wall["tuitrace"], wall["tracelb 95"]), "<= 1x",
                yes(wall["tuitrace"] <= wall["tracelb 95"])),
        ]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mda", description="tuitrace --mda vs tracelb")
    parser.add_argument("--runs", type=int, default=100, help="rate runs per protocol and family (100)")
    parser.add_argument("--peer-runs", type=int, default=20, help="runs per tool against tracelb (20)")
    parser.add_argument("--confidence", type=int, choices=[95, 99], default=95, help="for the rate (95)")
    args = parser.parse_args()
    reason = lab_available()
    if reason is not None:
        print(f"bench.mda: {reason}", file=sys.stderr)
        return 2
    rows: list[Row] = []
    for name, stages in STAGES.items():
        per_run, per_step = (expected_rate(stages, 95, per_run=flag) for flag in (True, False))
        print(f"bench.mda: {name}: the rule finds the whole lab in {per_run:.1%} of runs at 95% per run, "
              f"{per_step:.1%} at 95% per step", file=sys.stderr)
    with Lab() as lab:
        rows += peer_rows(lab, "first lab", truth(4), max(1, args.peer_runs // 2))
    with four_two() as lab:
        rows += peer_rows(lab, "4+2 lab", plan_truth(topology.FOUR_TWO, 4), args.peer_runs)
        print(render(rows), flush=True)
        rows += rate_rows(lab, args.runs, args.confidence)
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
