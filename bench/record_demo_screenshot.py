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

from tests.ui.readme_shots import app_command, keep, save_shot
from tests.ui.tmux import Terminal

NAME = "tuitrace-demo-events"
NOBODY = 65534


def main() -> int:
    out = Path(tempfile.mkdtemp(prefix="tuitrace-demo-shot-"))
    os.chmod(out, 0o777)  # noqa: PTH101 (the unprivileged app writes here)
    confined = (["unshare", "-n", "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
                if os.geteuid() == 0 else [])
    command = app_command(["HOME=/tmp", *confined, sys.executable, "-m", "tuitrace", "--demo", "-n",
                           "--output-dir", str(out)])
    term = Terminal(command, width=120, height=32)
    try:
        term.wait_for(lambda s: "replay x1" in s, "the replay")
        for _ in range(4):
            term.press(">")
        term.wait_for(lambda s: "■ end" in s, "the end of the demo")
        term.press("l")
        term.wait_for(lambda s: "path_change" in s and "loss_burst" in s, "the events")
        save_shot(term)
        term.press("q")
    finally:
        term.close()
    keep(out, [NAME])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
