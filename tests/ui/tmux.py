"""A real terminal for the UI's lab tests: one tmux server of our own, read back with ``capture-pane``,
and readers for the hop table as it appears on that screen."""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
"""Where the README's screenshots are kept."""
WAIT_S = 30.0
"""How long to wait for the screen to show something before failing (a limit, not a measurement)."""


@contextlib.contextmanager
def lab_or_skip() -> Iterator[Any]:
    """The namespace lab for a tmux test, or a skip saying what is missing."""
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


def take_screenshot(term: Terminal, what: str = "the screenshot") -> None:
    """Press ``s`` and wait until the app says where the files went."""
    term.press("s")
    term.wait_for(lambda s: "Screenshot saved" in s, what)


def keep_screenshots(out: Path, names: Sequence[str]) -> None:
    """The screenshots in ``out`` (SVG and Markdown, in the order they were taken) become ``names`` in the
    README's screenshots folder; ``out`` is removed."""
    for svg, name in zip(sorted(out.glob("*.svg")), names, strict=True):
        shutil.copy2(svg, SHOTS / f"{name}.svg")
        shutil.copy2(svg.with_suffix(".md"), SHOTS / f"{name}.md")
    shutil.rmtree(out, ignore_errors=True)

