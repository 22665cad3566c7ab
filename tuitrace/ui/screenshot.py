"""Screenshots for tickets: an SVG of the screen and a Markdown report of the same table.

Files are written whole (a temporary file in the same directory, then an atomic rename), so a reader
never sees half a file; under sudo they are handed to the invoking user, who has to attach them.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.ui.format import fmt_duration, fmt_seconds
from tuitrace.ui.widgets.header import state_text


@dataclass(frozen=True, slots=True)
class ScreenshotPaths:
    svg: Path
    markdown: Path


def _invoking_user() -> tuple[int, int] | None:
    """The user behind ``sudo`` when running as root, else ``None`` (files stay with whoever runs us)."""
    if os.geteuid() != 0:
        return None
    uid, gid = os.environ.get("SUDO_UID", ""), os.environ.get("SUDO_GID", "")
    if uid.isdecimal() and gid.isdecimal():
        return int(uid), int(gid)
    return None


def _hand_over(path: Path) -> None:
    owner = _invoking_user()
    if owner is not None:
        os.chown(path, *owner)


def write_atomic(path: Path, data: str) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either absent, the old file, or the whole new one."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o644)
        _hand_over(tmp)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def file_stem(host: str, when: datetime) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", host).strip("_") or "target"
    return f"tuitrace-{safe}-{when:%Y%m%d-%H%M%S}"


def screenshot_markdown(snapshot: TraceSnapshot, *, when: datetime, command_line: str, mode_label: str,
                        svg_name: str, report: str) -> str:
    name = snapshot.target
    if snapshot.host and snapshot.host != snapshot.target:
        name = f"{snapshot.host} ({snapshot.target})"
    settings = ", ".join(s.label for s in snapshot.settings) or snapshot.setting.label
    lines = [
        f"# tuitrace: {name}",
        "",
        f"- Time: {when.isoformat(timespec='seconds')}",
        f"- Command: `{command_line or 'tuitrace'}`",
        f"- Protocol/port: {snapshot.setting.label}",
        f"- Sendwait: {fmt_seconds(snapshot.sendwait)}, interval: {fmt_seconds(snapshot.interval)}, "
        f"probe timeout: {fmt_seconds(snapshot.wait)}",
        f"- Mode: {mode_label or snapshot.mode.value}",
        f"- Rounds: {snapshot.rounds}, elapsed {fmt_duration(snapshot.elapsed)}, {state_text(snapshot)}",
        f"- Settings traced this session: {settings}",
        f"- Screenshot: {svg_name}",
        "",
        "```text",
        report.rstrip("\n"),
        "```",
        "",
    ]
    return "\n".join(lines)


def save_screenshot(directory: Path, stem: str, svg: str, markdown: Callable[[str], str]) -> ScreenshotPaths:
    """Write ``<stem>.svg`` and ``<stem>.md`` into ``directory`` (created if needed), never overwriting.

    ``markdown`` gets the SVG's file name (which may carry a ``-2`` suffix) and returns the report.
    """
    created = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    if created:
        _hand_over(directory)
    candidate, n = stem, 1
    while (directory / f"{candidate}.svg").exists() or (directory / f"{candidate}.md").exists():
        n += 1
        candidate = f"{stem}-{n}"
    paths = ScreenshotPaths(directory / f"{candidate}.svg", directory / f"{candidate}.md")
    write_atomic(paths.svg, svg)
    write_atomic(paths.markdown, markdown(paths.svg.name))
    return paths
