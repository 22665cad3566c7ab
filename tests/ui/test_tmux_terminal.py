"""The live screen in a real terminal (tmux) on a simulated path: however it ends -- q, Ctrl+C, SIGTERM,
SIGHUP, SIGINT -- the terminal comes back (normal screen, no mouse tracking, cursor shown, echo on), the
report ``--report-on-exit`` promised is printed, and the exit status says how it ended. Without a terminal
it refuses at once instead of drawing into a file."""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from .tmux import ROOT, Terminal, hop

pytestmark = pytest.mark.tmux
SCENARIO = ROOT / "tests" / "scenarios" / "linear_v4.toml"
TARGET = "198.51.100.9"
PANE_STATE = "#{alternate_on} #{mouse_any_flag} #{mouse_sgr_flag} #{cursor_flag}"
"""tmux's view of the terminal modes: alternate screen, mouse tracking (any, SGR), cursor visible."""
NORMAL = "0 0 0 1"
NUMBERS = itertools.count()
AFTER = (
    'echo "EXIT=$?"; '
    "if stty -a | tr ' ;' '\\n\\n' | grep -qx echo; then echo ECHO=on; else echo ECHO=off; fi; "
    "sleep 600"
)
"""Run after tuitrace in the window: its exit status and whether the terminal echoes again."""


def tuitrace_command(*argv: str, redirect: str = "", term: str = "xterm-256color") -> list[str]:
    command = shlex.join(["env", "-u", "LINES", "-u", "COLUMNS", "-u", "NO_COLOR", f"PYTHONPATH={ROOT}",
                          f"TERM={term}", sys.executable, "-m", "tuitrace", "--simulate", str(SCENARIO),
                          "-n", "--no-lookups", "-i", "0.2", *argv, "x"])
    return ["sh", "-c", f"cd {shlex.quote(str(ROOT))} && {command} {redirect}; {AFTER}"]


@pytest.fixture
def terminal_for() -> Iterator[list[Terminal]]:
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    opened: list[Terminal] = []
    yield opened
    for term in opened:
        term.close()


class Window(Terminal):
    """A :class:`Terminal` on a tmux server of its own: one test's server shutting down never meets the
    next test's start."""

    def __init__(self, command: list[str], number: int) -> None:
        self.socket = f"tuitrace-test-{os.getpid()}-{number}"
        self.tmux(["new-session", "-d", "-s", "ui", "-x", "110", "-y", "40", shlex.join(command)])


def open_terminal(opened: list[Terminal], command: list[str]) -> Terminal:
    term = Window(command, next(NUMBERS))
    opened.append(term)
    return term


def pane_state(term: Terminal) -> str:
    return term.tmux(["display", "-p", "-t", "ui", PANE_STATE]).strip()


def tuitrace_pid(term: Terminal) -> int:
    shell = term.tmux(["display", "-p", "-t", "ui", "#{pane_pid}"]).strip()
    children = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True, check=False).stdout
    pids = [int(pid) for pid in children.split()]
    assert len(pids) == 1, f"expected one tuitrace under the window's shell, found {pids}"
    return pids[0]


def exit_status(screen: str) -> int:
    match = re.search(r"^EXIT=(\d+)$", screen, re.MULTILINE)
    assert match, screen
    return int(match.group(1))


def running(term: Terminal) -> str:
    """Wait for the live table, check the app took over the terminal, and return the screen."""
    screen = term.wait_for(lambda s: TARGET in hop(s, 4), "the hop table")
    assert pane_state(term) != NORMAL, "the app runs in the alternate screen with the mouse on"
    return screen


def ended(term: Terminal) -> str:
    screen = term.wait_for(lambda s: "ECHO=" in s, "tuitrace to end")
    assert pane_state(term) == NORMAL, "normal screen, no mouse tracking, cursor visible"
    assert "ECHO=on" in screen
    assert "Traceback" not in screen
    return screen


def report_lines(screen: str) -> list[str]:
    lines = screen.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("tuitrace to x"))
    end = next(i for i, line in enumerate(lines) if line.startswith("EXIT="))
    return [line for line in lines[start:end] if line.strip()]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=lambda s: signal.Signals(s).name)
def test_a_stop_signal_restores_the_terminal_and_prints_the_partial_report(
        terminal_for: list[Terminal], signum: signal.Signals) -> None:
    term = open_terminal(terminal_for, tuitrace_command("--report-on-exit"))
    running(term)
    subprocess.run(["kill", f"-{signum.name}", str(tuitrace_pid(term))], check=True)
    screen = ended(term)
    assert exit_status(screen) == 128 + signum
    report = report_lines(screen)
    assert any(TARGET in line for line in report[2:]), screen
    assert re.fullmatch(rf"partial: interrupted by {signum.name} after \d+ rounds?", report[-1]), screen


@pytest.mark.parametrize("keys", [[], ["P"]], ids=["table", "port-dialog"])
def test_ctrl_c_quits_like_q(terminal_for: list[Terminal], keys: list[str]) -> None:
    term = open_terminal(terminal_for, tuitrace_command("--report-on-exit"))
    running(term)
    for key in keys:
        term.press(key)
    if keys:
        term.wait_for(lambda s: "Destination port" in s, "the port dialog")
    term.press("C-c")
    screen = ended(term)
    assert exit_status(screen) == 0
    report = report_lines(screen)
    assert any(TARGET in line for line in report[2:]), screen
    assert "partial" not in screen


@pytest.mark.parametrize("redirect", ["< /dev/null", "> /dev/null"], ids=["stdin", "stdout"])
def test_without_a_terminal_it_refuses_in_one_line(terminal_for: list[Terminal], redirect: str) -> None:
    term = open_terminal(terminal_for, tuitrace_command(redirect=redirect))
    screen = ended(term)
    assert exit_status(screen) == 2
    errors = [line for line in screen.splitlines() if line.startswith("tuitrace:")]
    assert len(errors) == 1 and "needs a terminal" in errors[0] and "--report" in errors[0], screen


def test_term_dumb_gets_no_colour(terminal_for: list[Terminal]) -> None:
    term = open_terminal(terminal_for, tuitrace_command(term="dumb"))
    running(term)
    drawn = term.tmux(["capture-pane", "-e", "-p", "-t", "ui"])
    colours = re.findall(r"\x1b\[(?:[0-9;]*;)?[34]8;2;(\d+);(\d+);(\d+)", drawn)
    assert colours, "Textual draws with 24-bit codes"
    assert all(r == g == b for r, g, b in colours), sorted(set(colours))
    term.press("q")
    assert exit_status(ended(term)) == 0
