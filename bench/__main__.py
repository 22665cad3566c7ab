"""``python -m bench``: tuitrace against Debian traceroute and mtr, on the namespace lab, in one run.

Run as root from the checkout (``sudo .venv/bin/python -m bench``; ``--quick`` for a ~2 minute version).
It builds its own lab (``tests.lab.netlab``), runs every measurement several times, takes medians and
prints one table: figure | tuitrace | peer | ratio | goal | met?. Ratios compare with a peer measured in
the same run on the same machine; absolute times depend on the machine and are only context.

Method, per figure:

1. Time to full path. r3 delays every packet it forwards by 25 ms each way (``bench.delayer``, an
   NFQUEUE verdict delayed in userspace: the kernel here has no netem), so hop 4 and the destination are
   ~50 ms away. One tcpdump on src's link per run; the figure is the time from the first probe on the
   wire to the moment every TTL of the path (either ECMP branch at TTL 2) and the destination had
   answered at least once. Same probe kind for all (ICMP echo): ``tuitrace --report -c 1``,
   ``traceroute -I -n -q 1`` (16 probes in flight), ``mtr --report -c 1``. The goal is the destination's
   RTT as traceroute measured it in the same run, plus 5 ms.
2. CPU per probe. user+sys of the whole process tree (the benchmark is a child subreaper, so mtr's
   ``mtr-packet`` counts), headless, same count and interval for tuitrace and ``mtr --report``. The
   steady figure is (CPU of a long run - CPU of a short run) / (extra probes sent): start-up and exit
   count once for both tools and drop out; the whole-run figure is shown too.
3. RTT accuracy. ICMP, 10 probes per hop; tuitrace's per-hop average minus traceroute's for the same
   TTL; the worst hop of a run, median over runs; once idle, once with two processes spinning on both
   cores. Undelayed lab path (hops are tens of microseconds away, so the tools' own overhead shows).
4. Probe rate. ``bench.rate`` drives the engine on raw sockets in src (the command line's ``-i`` stops at
   1 ms) at increasing requested rates; the figure is the highest *achieved* rate (probes sent / time)
   at which every probe was answered and no packet was dropped as unmatched. Lab routers have the ICMP
   rate limits off (the lab sets them so).
5. Memory. ``bench.memory``: the engine on the simulated network (virtual clock, full speed) in a fresh
   process per size; peak RSS (``ru_maxrss``) after the large count against after the small one. The
   simulated network's own log of sent probes (a test aid) is emptied so only the engine is measured.
6. UI cost. ``bench.ui_cost``: the real app headless (``App.run_test``, 120x40) on a fake engine; each
   update changes every RTT cell of 30 hops x 8 responders; ``refresh_view`` is timed, and the render that
   follows separately. CPU of the running TUI: ``tuitrace -n`` on a 120x40 pseudo-terminal at the
   default 1 s interval on the lab path, CPU of the process tree after 2 s of warm-up, against mtr's
   curses view under the same conditions (mtr's figure is below the 10 ms tick resolution of /proc).
7. Start-up. Headless: from the spawn (through ``ip netns exec``, same for all) to the first probe on the
   wire. Live screens (``bench.startup``): tuitrace and mtr each started the same way in a tmux window
   of their own, from the release of the window's start to the first probe on the wire and to the first
   hop's address written to the terminal (read through ``tmux pipe-pane``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable

from bench import localfigures, netfigures, startup, tools
from bench.table import Row, render
from tests.lab.netlab import Lab, lab_available


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="tuitrace vs traceroute and mtr")
    parser.add_argument("--quick", action="store_true", help="fewer runs and smaller counts (~2 minutes)")
    args = parser.parse_args()
    reason = lab_available()
    if reason is not None:
        print(f"bench: {reason}", file=sys.stderr)
        return 2
    quick = args.quick
    runs = 3 if quick else 5
    started = time.monotonic()
    tools.become_subreaper()
    rows: list[Row] = []

    def step(name: str, figure: Callable[[], list[Row]]) -> None:
        try:
            rows.extend(figure())
        except (OSError, RuntimeError, ValueError, KeyError, subprocess.SubprocessError) as error:
            rows.append(Row(f"{name}: failed", f"{type(error).__name__}: {error}"))
        print(f"bench: {name} done at {time.monotonic() - started:.0f} s", file=sys.stderr)

    with Lab() as lab:
        step("1/7 time to path", lambda: netfigures.time_to_path(lab, runs))
        counts = (20, 100 if quick else 250)
        step("2 cpu per probe", lambda: netfigures.cpu_per_probe(lab, 1 if quick else 3, counts, 0.02))
        step("3 accuracy", lambda: netfigures.accuracy(lab, runs))
        rates = [5_000, 10_000, 20_000, 40_000] if quick else [5_000, 10_000, 20_000, 40_000, 80_000, 160_000]
        step("4 probe rate", lambda: netfigures.probe_rate(lab, rates, 1.0 if quick else 2.0))
        step("6 running tui", lambda: netfigures.running_tui(lab, 6.0 if quick else 12.0))
        step("7 start-up in tmux", lambda: startup.startup_in_tmux(lab, 5 if quick else 9))
    step("5 memory", lambda: localfigures.memory(10_000, 100_000 if quick else 1_000_000))
    step("6 ui update", lambda: localfigures.ui_update(10 if quick else 30, 1 if quick else 3))
    order = sorted(rows, key=lambda row: row.figure.split(".", 1)[0])
    print(render(order))
    print(f"\n(python -m bench{' --quick' if quick else ''}; {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
