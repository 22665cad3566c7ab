"""A real terminal and a real network: tuitrace in tmux inside the namespace lab, driven by key presses.

This is what a user does during an incident: open tuitrace, watch the ECMP hop, switch to TCP, change the
port to the one that is filtered and see the ``!X``, switch back to ICMP and find its earlier counts, and
save a screenshot for the ticket. The screen is read back with ``tmux capture-pane``.
"""

from __future__ import annotations

import importlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.lab, pytest.mark.tmux]

ROOT = Path(__file__).resolve().parents[2]
FILTERED_PORT = 389
WAIT_S = 30.0
"""How long to wait for the screen to show something before failing (a limit, not a measurement)."""


@pytest.fixture(scope="module")
def lab() -> Iterator[Any]:
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    if importlib.util.find_spec("tuitrace.cli") is None:
        pytest.skip("needs the tuitrace command line")
    try:
        netlab = importlib.import_module("tests.lab.netlab")
    except ImportError:
        pytest.skip("needs the namespace lab (tests.lab.netlab)")
    reason = netlab.lab_available()
    if reason is not None:
        pytest.skip(reason)
    netlab.remove_stale_labs()
    with netlab.Lab() as built:
        yield built


class Terminal:
    """One tmux server of our own (its own socket), one window of a fixed size."""

    def __init__(self, command: list[str], *, width: int = 120, height: int = 40) -> None:
        self.socket = f"tuitrace-test-{os.getpid()}"
        self.tmux(["new-session", "-d", "-s", "ui", "-x", str(width), "-y", str(height),
                   shlex.join(command)])

    def tmux(self, args: list[str]) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              check=True, timeout=10)
        return done.stdout

    def screen(self) -> str:
        """What the window shows; empty once the program (and with it the session) has ended."""
        try:
            return self.tmux(["capture-pane", "-p", "-t", "ui"])
        except subprocess.CalledProcessError:
            return ""

    def press(self, key: str) -> None:
        self.tmux(["send-keys", "-t", "ui", key])

    def type(self, text: str) -> None:
        self.tmux(["send-keys", "-t", "ui", "-l", text])

    def wait_for(self, ok: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + WAIT_S
        screen = self.screen()
        while not ok(screen):
            if time.monotonic() > deadline:
                raise AssertionError(f"the screen never showed {what}:\n{screen}")
            time.sleep(0.2)
            screen = self.screen()
        return screen

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


def hop(screen: str, ttl: int) -> str:
    """The line of the hop table for ``ttl`` (empty when not shown)."""
    match = re.search(rf"^\s*{ttl}\.\s.*$", screen, re.MULTILINE)
    return match.group(0) if match else ""


def sent(screen: str, ttl: int) -> int:
    """The Snt column of hop ``ttl``: the number right after Loss%."""
    match = re.search(r"(?:\d+\.\d%|100%)\s+(\d+)", hop(screen, ttl))
    return int(match.group(1)) if match else 0


def header(screen: str) -> str:
    return "\n".join(screen.splitlines()[:3])


def test_switching_protocols_and_ports_live_in_a_real_terminal(lab: Any, tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    v4 = lab.target(4)
    r1, r2a, r2b, r3 = (lab.address(node, 4) for node in ("r1", "r2a", "r2b", "r3"))
    # LINES/COLUMNS from the test run's environment would override the window's real size.
    command = ["env", "-u", "LINES", "-u", "COLUMNS", f"PYTHONPATH={ROOT}", "TERM=xterm-256color",
               *lab.argv("src", [sys.executable, "-m", "tuitrace", "-n", "--no-lookups", "-i", "0.2",
                                 "-w", "1", "--output-dir", str(shots), v4])]
    term = Terminal(command)
    try:
        screen = term.wait_for(lambda s: v4 in hop(s, 5) and r1 in hop(s, 1), "the hop table (ICMP)")
        assert "ICMP" in header(screen)
        assert "History" in screen, "a 120-column window shows the RTT history column"
        term.wait_for(lambda s: sent(s, 1) >= 5, "five ICMP rounds")
        icmp_sent = sent(term.screen(), 1)

        term.press("t")
        screen = term.wait_for(lambda s: "TCP/80" in header(s) and v4 in hop(s, 5), "TCP/80 reaching dst")
        assert "destination reached at hop 5" in header(screen)

        term.press("u")
        screen = term.wait_for(lambda s: "UDP 33434+n" in header(s) and r2a in s and r2b in s,
                               "both ECMP branches with classic UDP")
        assert "ECMP: 2 responders" in hop(screen, 2)

        with lab.reject_tcp_port("r3", FILTERED_PORT):
            term.press("t")
            term.wait_for(lambda s: "[TCP/80]" in header(s), "TCP/80 again")
            term.press("P")
            term.wait_for(lambda s: "Destination port" in s, "the port input")
            term.type(str(FILTERED_PORT))
            term.wait_for(lambda s: f" {FILTERED_PORT} " in s, "the typed port")
            term.press("Enter")
            screen = term.wait_for(lambda s: f"TCP/{FILTERED_PORT}" in header(s) and "!X" in hop(s, 4),
                                   f"!X from the filtering router on TCP/{FILTERED_PORT}")
            assert r3 in hop(screen, 4)
            assert "destination not reached yet" in header(screen)
            assert hop(screen, 5) == ""

        term.press("i")
        screen = term.wait_for(lambda s: "[ICMP]" in header(s), "ICMP again")
        assert sent(screen, 1) >= icmp_sent
        assert f"TCP/{FILTERED_PORT}" in header(screen)

        term.press("s")
        term.wait_for(lambda s: "Screenshot saved" in s, "the screenshot notification")
        svgs, mds = sorted(shots.glob("*.svg")), sorted(shots.glob("*.md"))
        assert len(svgs) == len(mds) == 1
        assert ET.parse(svgs[0]).getroot().tag.endswith("svg")
        report = mds[0].read_text(encoding="utf-8")
        assert "Protocol/port: ICMP" in report
        assert v4 in report and r1 in report

        term.press("q")
        term.wait_for(lambda s: "Host" not in s, "the app to quit")
        keep = os.environ.get("TUITRACE_KEEP_SCREENSHOTS")
        if keep:
            for path in (*svgs, *mds):
                shutil.copy2(path, Path(keep) / path.name)
    finally:
        term.close()
