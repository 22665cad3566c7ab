"""Screenshots for tickets: an SVG of the screen and a Markdown report of the same table.

The app hands over what only it has (the SVG of the screen and the text report of what it shows); naming,
the Markdown and the files are done here, so ``app.py`` stays wiring. Files are written whole (a temporary
file in the same directory, then an atomic rename), so a reader never sees half a file. Under sudo they
belong to the invoking user without any help from here: tuitrace becomes that user before the UI starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tuitrace.diagnose.finding import Finding
from tuitrace.diagnose.rules import diagnose
from tuitrace.report.files import write_atomic
from tuitrace.report.text import without_findings
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Event
from tuitrace.ui.format import fmt_duration, fmt_seconds
from tuitrace.ui.widgets.header import state_text


@dataclass(frozen=True, slots=True)
class ScreenshotPaths:
    svg: Path
    markdown: Path


def file_stem(host: str, when: datetime) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", host).strip("_") or "target"
    return f"tuitrace-{safe}-{when:%Y%m%d-%H%M%S}"


def screenshot_markdown(snapshot: TraceSnapshot, *, when: datetime, command_line: str, mode_label: str,
                        svg_name: str, report: str, events: Sequence[Event] = (), hidden: str = "nothing",
                        display: str = "table", graph: str | None = None) -> str:
    """``hidden`` says what privacy (``report.privacy``) kept out of the screenshot and the report;
    ``display`` is the display mode the SVG shows (the text below is always the table); ``graph``, a
    Mermaid flowchart of the paths (``--flows``, ``--mda``), goes last, where trackers draw it."""
    name = snapshot.target
    if snapshot.host and snapshot.host != snapshot.target:
        name = f"{snapshot.host} ({snapshot.target})"
    settings = ", ".join(s.label for s in snapshot.settings) or snapshot.setting.label
    findings = diagnose(snapshot, events)
    lines = [
        f"# tuitrace: {name}",
        "",
        f"- Time: {when.isoformat(timespec='seconds')}",
        f"- Command: `{command_line or 'tuitrace'}`",
        f"- Protocol/port: {snapshot.setting.label}",
        f"- Sendwait: {fmt_seconds(snapshot.sendwait)}, interval: {fmt_seconds(snapshot.interval)}, "
        f"probe timeout: {fmt_seconds(snapshot.wait)}",
        f"- Mode: {mode_label or snapshot.mode.value}",
        f"- Rounds: {snapshot.rounds}, elapsed {fmt_duration(snapshot.elapsed)}, "
        f"{state_text(snapshot, findings)}",
        f"- Settings traced this session: {settings}",
        f"- Hidden for privacy: {hidden}",
        f"- Display: {display}",
        f"- Screenshot: {svg_name}",
        "",
        "## Findings",
        "",
        *findings_markdown(findings),
        "",
        "```text",
        without_findings(report).rstrip("\n"),
        "```",
        "",
    ]
    if graph is not None:
        lines += ["## Paths as a graph", "", "```mermaid", graph.rstrip("\n"), "```", ""]
    return "\n".join(lines)


def findings_markdown(findings: tuple[Finding, ...]) -> list[str]:
    """One list item per finding, most severe first: severity, where, the sentence. The table below
    keeps only the numbers, so the findings are not said twice."""
    if not findings:
        return ["- none: no loss, block, loop or asymmetry stands out in these numbers"]
    items = []
    for finding in findings:
        where = [f"hop {finding.ttl}"] if finding.ttl is not None else []
        where += [finding.address] if finding.address else []
        place = f" ({', '.join(where)})" if where else ""
        items.append(f"- **{finding.severity}** `{finding.kind}`{place}: {finding.text}")
    return items


def save_screenshot(directory: Path, stem: str, svg: str, markdown: Callable[[str], str]) -> ScreenshotPaths:
    """Write ``<stem>.svg`` and ``<stem>.md`` into ``directory`` (created if needed), never overwriting.

    ``markdown`` gets the SVG's file name (which may carry a ``-2`` suffix) and returns the report.
    """
    directory.mkdir(parents=True, exist_ok=True)
    candidate, n = stem, 1
    while (directory / f"{candidate}.svg").exists() or (directory / f"{candidate}.md").exists():
        n += 1
        candidate = f"{stem}-{n}"
    paths = ScreenshotPaths(directory / f"{candidate}.svg", directory / f"{candidate}.md")
    write_atomic(paths.svg, svg)
    write_atomic(paths.markdown, markdown(paths.svg.name))
    return paths


def save_ticket_screenshot(snapshot: TraceSnapshot, svg: str, report: str, *, directory: Path,
                           command_line: str, mode_label: str, hidden: str = "nothing",
                           display: str = "table", when: datetime | None = None,
                           events: Sequence[Event] = (), graph: str | None = None) -> ScreenshotPaths:
    """Save the screen ``svg`` and a Markdown page with the settings and ``report`` for a ticket, named
    after the target and the time (``when``, now by default). Raises ``OSError`` when they cannot be
    written."""
    when = when or datetime.now().astimezone()

    def markdown(svg_name: str) -> str:
        return screenshot_markdown(snapshot, when=when, command_line=command_line, mode_label=mode_label,
                                   svg_name=svg_name, report=report, events=events, hidden=hidden,
                                   display=display, graph=graph)

    return save_screenshot(directory, file_stem(snapshot.host or snapshot.target, when), svg, markdown)
