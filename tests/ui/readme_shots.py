"""What every README screenshot script does around its own scenario: start the real app in a tmux window
of a fixed size, save a ticket screenshot with ``s``, and keep the SVG and its Markdown in screenshots/."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from tests.ui.tmux import ROOT, Terminal

SHOTS = ROOT / "screenshots"


def app_command(argv: Sequence[str]) -> list[str]:
    """``argv`` (tuitrace, maybe inside a namespace) with the window's real size and full colour."""
    return ["env", "-u", "LINES", "-u", "COLUMNS", f"PYTHONPATH={ROOT}", "TERM=xterm-256color", *argv]


def save_shot(term: Terminal) -> None:
    """``s``, and wait until the app says the screenshot is written."""
    term.press("s")
    term.wait_for(lambda s: "Screenshot saved" in s, "the screenshot")


def keep(out: Path, names: Sequence[str]) -> None:
    """The screenshots saved in ``out``, oldest first, become ``screenshots/<name>.svg`` and ``.md``."""
    svgs = sorted(out.glob("*.svg"))
    for svg, name in zip(svgs, names, strict=True):
        shutil.copy2(svg, SHOTS / f"{name}.svg")
        shutil.copy2(svg.with_suffix(".md"), SHOTS / f"{name}.md")
    shutil.rmtree(out, ignore_errors=True)
    print("wrote " + ", ".join(f"{SHOTS / name}.svg" for name in names) + " and their .md")
