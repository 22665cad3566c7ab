"""Running a full-screen program (tuitrace's TUI, mtr's curses view) on a pseudo-terminal for a while.

The benchmark plays the user: a 120x40 terminal, nothing pressed for ``seconds``, then ``q``. It records
the CPU the program and its helpers used, and when the first byte and the first hop address reached the
screen, so that the TUI's idle cost and its start-up can be compared with mtr's on equal terms.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.tools import ROOT, children_cpu, python_env, reap_orphans, wait_or_kill

COLUMNS, LINES = 120, 40
WARM_UP = 2.0
_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds so far of ``pid`` and every live descendant (all threads), from /proc."""
    total = 0.0
    todo = [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (Path(f"/proc/{current}/stat")).read_text().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15]) / _TICK
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
    return total


@dataclass(frozen=True, slots=True)
class ScreenRun:
    cpu_s: float
    wall_s: float
    steady_cpu_pct: float
    """CPU of the process tree while it runs on, after ``WARM_UP`` seconds, in % of one core."""
    first_byte_s: float | None
    first_hop_s: float | None
    """From the spawn to the first screen output that contains ``marker`` (the first hop's address)."""


class _Reader(threading.Thread):
    def __init__(self, fd: int, marker: bytes, started: float) -> None:
        super().__init__(daemon=True)
        self.fd, self.marker, self.started = fd, marker, started
        self.first_byte: float | None = None
        self.first_hop: float | None = None
        self._tail = b""

    def run(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            now = time.perf_counter() - self.started
            if self.first_byte is None:
                self.first_byte = now
            if self.first_hop is None:
                window = self._tail + data
                if self.marker in window:
                    self.first_hop = now
                self._tail = window[-len(self.marker):]


def run_on_terminal(argv: Sequence[str], seconds: float, marker: str) -> ScreenRun:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    env = python_env() | {"TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
    before = children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                            start_new_session=True)
    os.close(slave)
    reader = _Reader(master, marker.encode(), started)
    reader.start()
    try:
        warm = min(WARM_UP, seconds / 2)
        time.sleep(warm)
        cpu0, t0 = tree_cpu(proc.pid), time.perf_counter()
        time.sleep(seconds - warm)
        steady = 100.0 * (tree_cpu(proc.pid) - cpu0) / (time.perf_counter() - t0)
        os.write(master, b"q")
        wait_or_kill(proc, 10)
    finally:
        wall = time.perf_counter() - started
        reap_orphans()
        with contextlib.suppress(OSError):
            os.close(master)
        reader.join(timeout=2)
    return ScreenRun(children_cpu() - before, wall, steady, reader.first_byte, reader.first_hop)
