"""A real terminal and a real network: tuitrace in tmux inside the namespace lab, driven by key presses.

This is what a user does during an incident: open tuitrace, watch the ECMP hop, switch to TCP, change the
port to the one that is filtered and see the ``!X``, switch back to ICMP and find its earlier counts, and
save a screenshot for the ticket. The screen is read back with ``tmux capture-pane``.
"""

from __future__ import annotations

import os
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .tmux import ROOT, Terminal, header, hop, lab_or_skip, sent

pytestmark = [pytest.mark.lab, pytest.mark.tmux]
FILTERED_PORT = 389


@pytest.fixture(scope="module")
def lab() -> Iterator[Any]:
    with lab_or_skip() as built:
        yield built


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
