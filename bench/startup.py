"""Start-up in a real terminal: tuitrace's live screen against mtr's, both started the same way in tmux.

Figure 7. Each run makes a tmux server of its own (120x40) whose window first waits on a FIFO, then
``exec``\\ s the tool through ``ip netns exec`` in the lab's src namespace. Before the FIFO is released,
``tmux pipe-pane`` copies everything the tool writes to the terminal into a second FIFO that a thread here
reads and timestamps, and one ``tcpdump`` on src's link stamps the packets. From the release (wall clock,
the one tcpdump uses) the figures are:

* first probe on the wire: the first packet src sends (no process of the previous run is left in src's
  namespace when the window starts: mtr's helper outlives mtr for a moment);
* first hop on screen: the first terminal output that contains the first hop's address.

The tools alternate, run after run, and the medians are compared in the same run. ``python -m
bench.startup [RUNS]`` measures only this (as root, from the checkout).
"""

from __future__ import annotations

import compileall
import contextlib
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import labkit, tools
from bench.table import Row, ratio, yes
from tests.lab.netlab import Lab, lab_available

COLUMNS, LINES = 120, 40
SCREEN_WAIT_S = 10.0
"""How long a run may take to show the first hop before it counts as failed (a limit, not a figure)."""
FIRST_PROBE_GOAL = 0.5
FIRST_HOP_GOAL = 1.5
"""Goals as a ratio to mtr's figure (issue 13)."""


@dataclass(frozen=True, slots=True)
class Startup:
    first_probe_s: float | None
    first_hop_s: float | None


class _ScreenReader(threading.Thread):
    """Reads what the tool writes to its terminal (through ``pipe-pane``) and notes when ``marker``
    first appears."""

    def __init__(self, fifo: Path, marker: bytes) -> None:
        super().__init__(daemon=True)
        self.fifo, self.marker = fifo, marker
        self.seen_at: float | None = None
        self.seen = threading.Event()

    def run(self) -> None:
        tail = b""
        with contextlib.suppress(OSError), self.fifo.open("rb", buffering=0) as stream:
            while chunk := stream.read(65536):
                if self.seen_at is None:
                    window = tail + chunk
                    if self.marker in window:
                        self.seen_at = time.time()
                        self.seen.set()
                    tail = window[-len(self.marker):]


def wait_until_quiet(lab: Lab, node: str = "src", timeout: float = 10.0) -> None:
    """Wait until no process runs in ``node``'s namespace: a tool of the previous run (mtr's
    ``mtr-packet`` outlives mtr for a moment) must not send the packet taken for this run's first probe.
    What is still there after ``timeout`` (only tools this benchmark started) is killed."""
    end = time.monotonic() + timeout
    while True:
        pids = subprocess.run(["ip", "netns", "pids", lab.ns(node)], capture_output=True, text=True,
                              check=False).stdout.split()
        if not pids:
            return
        if time.monotonic() > end:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            return
        tools.reap_orphans(0.05)
        time.sleep(0.05)


def _tmux(socket: str, *args: str) -> None:
    subprocess.run(["tmux", "-L", socket, *args], check=True, capture_output=True, timeout=10)


def start_in_tmux(lab: Lab, argv: Sequence[str], marker: str) -> Startup:
    """One run of ``argv`` (run in src) in a fresh tmux window; the figures from the FIFO's release."""
    socket = f"tuitrace-bench-{os.getpid()}"
    wait_until_quiet(lab)
    with tempfile.TemporaryDirectory() as scratch:
        go, screen = Path(scratch) / "go", Path(scratch) / "screen"
        os.mkfifo(go)
        os.mkfifo(screen)
        env = f"env -u LINES -u COLUMNS PYTHONPATH={shlex.quote(str(tools.ROOT))} TERM=xterm-256color"
        command = f"read _ < {shlex.quote(str(go))}; exec {env} {shlex.join(lab.argv('src', list(argv)))}"
        _tmux(socket, "new-session", "-d", "-s", "bench", "-x", str(COLUMNS), "-y", str(LINES),
              shlex.join(["sh", "-c", command]))
        try:
            reader = _ScreenReader(screen, marker.encode())
            reader.start()
            _tmux(socket, "pipe-pane", "-t", "bench", "-o", f"cat > {shlex.quote(str(screen))}")
            with tools.capture(lab.argv("src", []), labkit.src_interface()) as packets:
                time.sleep(0.2)  # tmux has started the pipe; tcpdump listens
                released = time.time()
                with go.open("w", encoding="ascii") as fifo:
                    fifo.write("go\n")
                reader.seen.wait(SCREEN_WAIT_S)
                with contextlib.suppress(subprocess.SubprocessError):
                    _tmux(socket, "send-keys", "-t", "bench", "q")
                time.sleep(0.3)
        finally:
            subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False)
            tools.reap_orphans()
        reader.join(timeout=2)
    me = labkit.src_address()
    sent = [packet.at for packet in packets if packet.src == me]
    return Startup(min(sent) - released if sent else None,
                   reader.seen_at - released if reader.seen_at is not None else None)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def startup_in_tmux(lab: Lab, runs: int) -> list[Row]:
    """Figure 7: first probe on the wire and first hop on screen, tuitrace's live screen vs mtr's."""
    # An installed tuitrace has its bytecode compiled (pip does it); a checkout run with
    # PYTHONDONTWRITEBYTECODE would compile every module on every start.
    compileall.compile_dir(tools.ROOT / "tuitrace", quiet=1)
    target = lab.target(4)
    first_hop = next(iter(lab.expected_hops(4)[0]))
    argvs = {
        "tuitrace": [sys.executable, "-m", "tuitrace", "-n", "--no-lookups", target],
        "mtr": ["mtr", "-n", target],
    }
    probe: dict[str, list[float]] = {name: [] for name in argvs}
    screen: dict[str, list[float]] = {name: [] for name in argvs}
    for _ in range(runs):
        for name, argv in argvs.items():
            run = start_in_tmux(lab, argv, first_hop)
            if run.first_probe_s is None or run.first_hop_s is None:
                print(f"bench: {name} showed no first hop in {SCREEN_WAIT_S:g} s", file=sys.stderr)
                continue
            probe[name].append(run.first_probe_s)
            screen[name].append(run.first_hop_s)
    if not all(probe.values()):
        return [Row("7. start-up in tmux", "no complete run")]
    ours_probe, mtr_probe = statistics.median(probe["tuitrace"]), statistics.median(probe["mtr"])
    ours_hop, mtr_hop = statistics.median(screen["tuitrace"]), statistics.median(screen["mtr"])
    return [
        Row("7. start-up in tmux: first probe on the wire", _ms(ours_probe), f"{_ms(mtr_probe)} (mtr)",
            ratio(ours_probe, mtr_probe), f"<= {FIRST_PROBE_GOAL}x mtr",
            yes(ours_probe <= FIRST_PROBE_GOAL * mtr_probe)),
        Row("7. start-up in tmux: first hop on screen", _ms(ours_hop), f"{_ms(mtr_hop)} (mtr)",
            ratio(ours_hop, mtr_hop), f"<= {FIRST_HOP_GOAL}x mtr", yes(ours_hop <= FIRST_HOP_GOAL * mtr_hop)),
    ]


def main(argv: Sequence[str]) -> int:
    reason = lab_available()
    if reason is not None:
        print(f"bench: {reason}", file=sys.stderr)
        return 2
    from bench.table import render

    runs = int(argv[0]) if argv else 7
    tools.become_subreaper()
    with Lab() as lab:
        print(render(startup_in_tmux(lab, runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
