"""sudo tuitrace from a Python the sudo user cannot read: the live screen must not import anything after
the privilege drop.

With Python or its virtualenv under /root (mode 700), the sudo user cannot read a single file of it once
tuitrace has become that user. Textual imports its terminal driver (and ``termios``) only when the app
starts, so the app crashed with ``ModuleNotFoundError: termios`` right after the drop. Here the interpreter's
standard library, the test environment's packages and the project are all reached through one mode-700
directory (symlinks), tuitrace runs as root in tmux with ``SUDO_UID`` set to an unprivileged user, and the
app is driven through its screens and quit.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest

from .test_tmux_terminal import AFTER, TARGET, Window, ended, exit_status, report_lines, tuitrace_pid
from .tmux import ROOT, hop

pytestmark = pytest.mark.tmux
NOBODY = 65534


def locked_python(locked: Path) -> tuple[list[str], dict[str, str]]:
    """A command line and environment that run this interpreter with every import path inside
    ``locked`` (mode 700, root's): the standard library, the installed packages and the project."""
    locked.mkdir(mode=0o700)
    (locked / "prefix").symlink_to(sys.base_prefix)
    (locked / "site").symlink_to(sysconfig.get_paths()["purelib"])
    (locked / "project").symlink_to(ROOT)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    python = locked / "prefix" / "bin" / version
    if not python.exists():
        pytest.skip(f"no {version} in {sys.base_prefix}/bin")
    env = {"PYTHONHOME": str(locked / "prefix"),
           "PYTHONPATH": f"{locked / 'project'}:{locked / 'site'}",
           "PYTHONDONTWRITEBYTECODE": "1"}
    return [str(python), "-s", "-P"], env


def showing(shows: str, gone: str) -> Callable[[str], bool]:
    """The screen shows ``shows`` and, if given, no longer ``gone`` (a dialog has closed)."""
    return lambda screen: shows in screen and not (gone and gone in screen)


def test_the_live_screen_runs_after_the_drop_from_an_unreadable_python(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root (to become another user as sudo does)")
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    locked = tmp_path / "locked"
    python, env = locked_python(locked)
    paths = subprocess.run([*python, "-c", "import sys, tuitrace; print(sys.path[1:], tuitrace.__file__)"],
                           env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in paths.replace(str(locked), ""), f"something is imported from outside: {paths}"

    scenario = locked / "project" / "tests" / "scenarios" / "linear_v4.toml"
    command = shlex.join(["env", "-u", "LINES", "-u", "COLUMNS", "-u", "NO_COLOR", "-u", "PYTHONSAFEPATH",
                          *(f"{key}={value}" for key, value in env.items()), "TERM=xterm-256color",
                          f"SUDO_UID={NOBODY}", f"SUDO_GID={NOBODY}",
                          *python, "-m", "tuitrace", "--simulate", str(scenario), "-n", "--no-lookups",
                          "-i", "0.2", "--report-on-exit", "x"])
    term = Window(["sh", "-c", f"cd / && {command}; {AFTER}"], 0)
    try:
        term.wait_for(lambda s: TARGET in hop(s, 4), "the hop table")
        status = Path(f"/proc/{tuitrace_pid(term)}/status").read_text(encoding="utf-8")
        uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        assert uid_line.split()[1:] == [str(NOBODY)] * 4, "tuitrace became the sudo user"
        table = "Loss%"
        for key, shows, gone in (("?", "tuitrace keys", ""), ("Escape", table, "tuitrace keys"),
                                 ("Enter", "Esc closes", ""), ("Escape", table, "Esc closes"),
                                 ("P", "Destination port", ""), ("Escape", table, "Destination port"),
                                 ("z", table, ""), ("e", table, ""), ("n", table, "")):
            term.press(key)
            term.wait_for(showing(shows, gone), f"{shows!r} after {key}")
        term.press("q")
        screen = ended(term)
        assert exit_status(screen) == 0, screen
        assert any(TARGET in line for line in report_lines(screen)[2:]), screen
    finally:
        term.close()
