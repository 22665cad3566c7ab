"""Make the README's screenshot with the real app in the namespace lab: ``sudo .venv/bin/python -m
tests.ui.readme_screenshot``. Classic UDP shows the ECMP stage at TTL 2; r3 drops 30% of its
time-exceeded (rate limiting), which the later hops do not show; r3 also holds what it forwards for 12 ms
each way (the benchmarks' NFQUEUE delayer), so hops 4 and 5 are ~25 ms away. Two pictures: the table,
and the history strip (``d``) of the same run, where r3's dropped replies are a row of crosses."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench.labkit import delayed
from tests.lab.netlab import Lab
from tests.ui.tmux import ROOT, SHOTS, Terminal, hop, keep_screenshots, sent, take_screenshot

NAME = "tuitrace-lab"
STRIP_NAME = "tuitrace-lab-strip"


def main() -> int:
    with Lab() as lab, lab.loss("r3", 0.3), delayed(lab, 12.0):
        target = lab.target(4)
        out = Path("/tmp") / f"tuitrace-readme-{time.time_ns()}"
        command = ["env", "-u", "LINES", "-u", "COLUMNS", f"PYTHONPATH={ROOT}", "TERM=xterm-256color",
                   *lab.argv("src", [sys.executable, "-m", "tuitrace", "-n", "--no-lookups", "-P", "udp",
                                     "-i", "0.25", "--output-dir", str(out), target])]
        term = Terminal(command, width=120, height=24)
        try:
            term.wait_for(lambda s: target in hop(s, 5) and sent(s, 1) >= 40, "40 rounds")
            take_screenshot(term)
            term.wait_for(lambda s: "Screenshot saved" not in s, "the notice to go")
            term.press("d")
            term.wait_for(lambda s: "History, one cell per round" in s, "the history strip")
            time.sleep(8)  # 30 more rounds into the strip
            take_screenshot(term, "the second screenshot")
            term.press("q")
        finally:
            term.close()
        keep_screenshots(out, [NAME, STRIP_NAME])
    print(f"wrote {SHOTS / NAME}.svg, {SHOTS / STRIP_NAME}.svg and their .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
