"""The screenshot's Markdown page lists the findings once, above the table, for a ticket."""

from __future__ import annotations

from datetime import datetime

from tests.unit.diagnose.build import TARGET, Hop, snapshot
from tuitrace.config import Protocol, Setting
from tuitrace.report.text import render_text, without_findings
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.ui.screenshot import screenshot_markdown

WHEN = datetime(2024, 5, 6, 7, 8, 9).astimezone()


def page(snap: TraceSnapshot) -> str:
    return screenshot_markdown(snap, when=WHEN, command_line="tuitrace -T -p 389 x", mode_label="raw",
                               svg_name="shot.svg", report=render_text(snap))


def test_findings_are_a_list_above_the_table_and_not_repeated_in_it() -> None:
    hops = [Hop("10.0.0.1", 5, 5), Hop("10.0.0.5", 5, 5, ("!X",))]
    snap = snapshot(hops, setting=Setting(Protocol.TCP, 389))
    text = page(snap)
    item = ("- **problem** `blocked` (hop 2, 10.0.0.5): "
            "TCP/389 is administratively prohibited by 10.0.0.5 at hop 2.")
    assert f"## Findings\n\n{item}\n\n```text\n" in text
    assert text.count("administratively prohibited") == 1
    assert "10.0.0.5 !X" in text.split("```text\n")[1]


def test_only_the_findings_block_leaves_the_table() -> None:
    report = "tuitrace to x\n  1. a\n\nFindings\n  problem  it\n\nEvents\n  something\n"
    assert without_findings(report) == "tuitrace to x\n  1. a\n\nEvents\n  something\n"


def test_a_clean_path_says_there_is_nothing_to_report() -> None:
    text = page(snapshot([Hop("10.0.0.1", 5, 5), Hop(TARGET, 5, 5)]))
    assert "## Findings\n\n- none:" in text
    assert "**" not in text
