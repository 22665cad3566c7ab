"""Make the README's compare-mode screenshot with the real app in the namespace lab: ``sudo
.venv/bin/python -m tests.ui.readme_compare_screenshot``. r4 rejects TCP to dst:8443 with admin-prohibited,
so ``--compare icmp,udp,tcp:8443`` shows ICMP and classic UDP reaching dst at hop 5 while TCP/8443 gets
``!X`` from r4 there (and classic UDP shows both ECMP routers at hop 2)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.lab.conftest import REJECTED_TCP_PORT
from tests.lab.netlab import Lab
from tests.ui.tmux import ROOT, SHOTS, Terminal, keep_screenshots, take_screenshot

NAME = "tuitrace-compare"


def main() -> int:
    with Lab() as lab, lab.reject_tcp_port("r4", REJECTED_TCP_PORT):
        target = lab.target(4)
        out = Path("/tmp") / f"tuitrace-readme-{time.time_ns()}"
        tuitrace = [sys.executable, "-m", "tuitrace", "-n", "--no-lookups", "-i", "0.25",
                    "--compare", f"icmp,udp,tcp:{REJECTED_TCP_PORT}", "--output-dir", str(out), target]
        command = ["env", "-u", "LINES", "-u", "COLUMNS", f"PYTHONPATH={ROOT}", "TERM=xterm-256color",
                   *lab.argv("src", tuitrace)]
        term = Terminal(command, width=130, height=20)
        try:
            term.wait_for(lambda s: "is blocked at hop 5" in s and "round 20" in s, "the verdict, 20 rounds")
            take_screenshot(term)
            term.press("q")
        finally:
            term.close()
        keep_screenshots(out, [NAME])
    print(f"wrote {SHOTS / NAME}.svg and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
