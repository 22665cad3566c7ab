"""``sudo python -m bench.multi_targets``: CPU per probe with 10 targets traced at once vs 1, on loopback.

tuitrace runs as a user would (``--json -c ROUNDS -i 0.003``) to 127.0.0.1 alone, then to 127.0.0.1 ...
127.0.0.10 at once (one engine, thread and raw socket set per target). CPU is the child's user + system
time; a one-round run of the same command is subtracted as start-up. Trials alternate and medians are
compared; the goal (issue 15) is that CPU per probe does not grow with the targets (ratio ≤ 1.2). Every
raw ICMP socket of the process receives every ICMP message, so with n targets each reply is read and
rejected by n - 1 other sockets (the prefilter makes that cheap, but it is n reads): that is what this
measures. Absolute microseconds are context only.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys

ROUNDS, TRIALS, GOAL = 1000, 5, 1.2


def cpu_of(targets: list[str], rounds: int) -> tuple[float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-m", "tuitrace", "--json", "-n", "--no-lookups", "-c", str(rounds),
                          "-i", "0.003", *targets], capture_output=True, text=True, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    document = json.loads(out)
    traces = document.get("traces", [document])
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return cpu, sum(int(trace["probes_sent"]) for trace in traces)


def per_probe(targets: list[str]) -> float:
    start_up, _ = cpu_of(targets, 1)
    cpu, probes = cpu_of(targets, ROUNDS)
    return max(0.0, cpu - start_up) / probes


def main() -> int:
    if os.geteuid() != 0:
        print("needs root (raw sockets)", file=sys.stderr)
        return 2
    one, ten = ["127.0.0.1"], [f"127.0.0.{n}" for n in range(1, 11)]
    singles, tens = [], []
    for _ in range(TRIALS):
        singles.append(per_probe(one))
        tens.append(per_probe(ten))
    single, many = statistics.median(singles), statistics.median(tens)
    ratio = many / single
    print(f"CPU per probe, 1 target:   {single * 1e6:8.1f} us (median of {TRIALS})")
    print(f"CPU per probe, 10 targets: {many * 1e6:8.1f} us")
    print(f"ratio {ratio:.2f}x, goal <= {GOAL:.1f}x: {'met' if ratio <= GOAL else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
