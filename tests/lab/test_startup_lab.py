"""Start-up order on a real network and a real terminal: the first probe leaves before Textual is imported.

tuitrace runs in tmux inside the lab's src namespace, under a small wrapper that installs a Python audit
hook before running ``python -m tuitrace``. The hook writes a line to a log the first time a socket sends
to the target (``socket.sendmsg`` / ``socket.sendto``: raised just before the system call, which hands the
probe to the kernel before the next statement runs) and the first time a ``textual`` module is imported.
This is an order, not a timing: no clock is compared, so a slow machine cannot make it flaky. The log is
opened before tuitrace drops its privileges, so lines written after the drop still arrive.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.lab.netlab import Lab
from tests.ui.tmux import ROOT, Terminal, hop

pytestmark = [pytest.mark.lab, pytest.mark.tmux]

WRAPPER = """
import os, runpy, sys
log = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
target = sys.argv[2]
seen = set()

def note(what):
    if what not in seen:
        seen.add(what)
        os.write(log, (what + "\\n").encode())

def hook(event, args):
    if event in ("socket.sendmsg", "socket.sendto"):
        address = args[1]
        if isinstance(address, tuple) and address and address[0] == target:
            note("probe")
    elif event == "import" and args[0].split(".")[0] == "textual":
        note("textual")

sys.addaudithook(hook)
sys.argv = ["tuitrace", *sys.argv[3:]]
runpy.run_module("tuitrace", run_name="__main__", alter_sys=True)
"""


def test_the_first_probe_leaves_before_textual_is_imported(lab: Lab, tmp_path: Path) -> None:
    target = lab.target(4)
    log = tmp_path / "order.log"
    command = ["env", "-u", "LINES", "-u", "COLUMNS", f"PYTHONPATH={ROOT}", "TERM=xterm-256color",
               *lab.argv("src", [sys.executable, "-c", WRAPPER, str(log), target,
                                 "-n", "--no-lookups", "-i", "0.2", target])]
    term = Terminal(command)
    try:
        screen = term.wait_for(lambda s: target in hop(s, 5), "the hop table")
        assert lab.address("r1", 4) in hop(screen, 1)
        term.press("q")
    finally:
        term.close()
    order = log.read_text(encoding="utf-8").split()
    assert order == ["probe", "textual"], f"what happened first: {order}"
