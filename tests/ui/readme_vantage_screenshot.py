"""Make the README's screenshot of three vantage points with the real app in the namespace lab: ``sudo
.venv/bin/python -m tests.ui.readme_vantage_screenshot``. Real OpenSSH servers in dst and r3
(tests/lab/sshlab.py) run ``tuitrace --stream``; tuitrace in src traces r1 from here, from dst and from
r3 at once. The overview shows the three traces and their paths side by side: from here r1 is the first
hop, from dst the way back through r4, r3 and r2a, from r3 through r2a; the three meet at r1."""

from __future__ import annotations

import shlex
import sys
import tempfile
import time
from pathlib import Path

from tests.lab import topology
from tests.lab.netlab import Lab
from tests.lab.sshlab import serving
from tests.ui.readme_shots import app_command, keep, save_shot
from tests.ui.tmux import ROOT, Terminal

NAME = "tuitrace-vantage"
REMOTE = f"env PYTHONPATH={shlex.quote(str(ROOT))} {shlex.quote(sys.executable)} -m tuitrace"


def main() -> int:
    with Lab() as lab, tempfile.TemporaryDirectory() as keys, serving(lab, Path(keys)) as sshd:
        target = topology.hop_address("r1", 4)
        out = Path("/tmp") / f"tuitrace-readme-{time.time_ns()}"
        tuitrace = [sys.executable, "-m", "tuitrace", "-n", "--no-lookups", "-I", "-i", "0.25",
                    "--from", "lab-dst", "--from", "lab-r3", "--ssh-config", str(sshd.client_config),
                    "--remote-command", REMOTE, "--output-dir", str(out), target]
        term = Terminal(app_command(lab.argv("src", tuitrace)), width=120, height=24)
        try:
            term.wait_for(lambda s: "Paths side by side" in s and s.count("yes") >= 3, "three traces reached")
            time.sleep(5)  # 20 rounds
            save_shot(term)
            term.press("q")
        finally:
            term.close()
        keep(out, [NAME])
    return 0


if __name__ == "__main__":
    sys.exit(main())
