"""``python -m bench.soak``: 24 simulated hours at 10 rounds/s over 30 hops, memory and statistics checked.

No root, no network, no sleeping: the engine runs on the simulated network's virtual clock (see
``tests/fault/soak.py`` for the path, the fixed RTTs and the deterministic loss pattern). Prints the memory
samples, the ratio of memory at the end to memory after the warm-up (resident set and live Python heap
blocks; the goal is at most 1.05) and whether every hop's counts, loss and RTTs are exactly what the
scenario implies. ``--hours`` shortens the run.
"""

from __future__ import annotations

import argparse
import sys
import time

from tests.fault.soak import HOPS, ROUNDS_PER_SECOND, MemorySample, soak, statistics_problems

GOAL = 1.05


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--warmup-hours", type=float, default=1.0)
    args = parser.parse_args()
    seconds = args.hours * 3600
    print(f"soak: {args.hours} simulated hours, {ROUNDS_PER_SECOND} rounds/s, {HOPS} hops", flush=True)
    print("simulated h   RSS KiB   heap blocks   CPU s", flush=True)
    started = time.process_time()

    def show(sample: MemorySample) -> None:
        print(f"{sample.simulated_s / 3600:11.2f} {sample.rss_kib:9} {sample.heap_blocks:13} "
              f"{time.process_time() - started:7.0f}", flush=True)

    figures, snapshot = soak(seconds, warmup_s=args.warmup_hours * 3600, on_sample=show)
    show(figures.samples[-1])
    print(f"{figures.rounds} rounds, {snapshot.probes_sent} probes in {figures.cpu_s:.0f} s CPU "
          f"({seconds / figures.cpu_s:.0f}x real time)")
    rss_ok, heap_ok = figures.rss_ratio <= GOAL, figures.heap_ratio <= GOAL
    print(f"memory end / after warm-up: RSS {figures.rss_ratio:.3f}, heap blocks {figures.heap_ratio:.3f} "
          f"(goal <= {GOAL}: {'met' if rss_ok and heap_ok else 'NOT met'})")
    problems = statistics_problems(snapshot, figures.rounds)
    print("statistics: " + ("exact (counts, loss, RTT avg/best/worst of every hop)" if not problems
                            else f"{len(problems)} problems"))
    for problem in problems[:20]:
        print(f"  {problem}")
    return 0 if rss_ok and heap_ok and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
