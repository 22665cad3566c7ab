"""Make the README's screenshot of the event pane from the demo: ``python -m bench.record_demo_screenshot``.

The real app replays the shipped demo (``tuitrace --demo``) in a tmux window as an ordinary user with no
network at all (``unshare -n`` and ``setpriv``, as root; as a user it runs as that user), fast forwards to
the end with ``>``, opens the event pane with ``l`` and saves a screenshot with ``s``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tests.ui.tmux import ROOT, SHOTS, Terminal, keep_screenshots, take_screenshot

NAME = "tuitrace-demo-events"
NOBODY = 65534


def main() -> int:
    out = Path(tempfile.mkdtemp(prefix="tuitrace-demo-shot-"))
    os.chmod(out, 0o777)  # noqa: PTH101 (the unprivileged app writes here)
    confined = (["unshare", "-n", "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
                if os.geteuid() == 0 else [])
    command = ["env", "-u", "LINES", "-u", "COLUMNS", f"PYTHONPATH={ROOT}", "TERM=xterm-256color",
               "HOME=/tmp", *confined, sys.executable, "-m", "tuitrace", "--demo", "-n",
               "--output-dir", str(out)]
    term = Terminal(command, width=120, height=32)
    try:
        term.wait_for(lambda s: "replay x1" in s, "the replay")
        for _ in range(4):
            term.press(">")
        term.wait_for(lambda s: "■ end" in s, "the end of the demo")
        term.press("l")
        term.wait_for(lambda s: "path_change" in s and "loss_burst" in s, "the events")
        take_screenshot(term)
        term.press("q")
    finally:
        term.close()
    keep_screenshots(out, [NAME])
    print(f"wrote {SHOTS / NAME}.svg and .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
