"""Running the tools under measurement: CPU and memory of a whole process tree, packets on the wire,
and reading the times out of traceroute's and mtr's text.

Every tool is measured the same way: started through ``ip netns exec`` in the lab's src namespace, its
CPU taken from the kernel's accounting of the process and every descendant (the benchmark makes itself a
child subreaper, so helpers such as ``mtr-packet`` are counted even when their parent does not reap
them), and its packets timestamped by one ``tcpdump`` on src's only link.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import resource
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The checkout: tuitrace and bench are imported from here by the processes started in namespaces."""

_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphans of the measured tools become our children, so their CPU time reaches our accounting."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


@dataclass(frozen=True, slots=True)
class Measured:
    started: float
    """Wall-clock time (epoch seconds, the clock tcpdump stamps with) just before the spawn."""
    wall_s: float
    cpu_s: float
    """User + system CPU of the process and all its descendants."""
    stdout: str
    returncode: int


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reap_orphans(timeout: float = 2.0) -> None:
    """Wait for adopted orphans (e.g. ``mtr-packet``) whose pids we never learnt, but only those:
    children we started ourselves and still run are left alone."""
    end = time.monotonic() + timeout
    ours = set(_known_children)
    while time.monotonic() < end:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            if not _orphans(ours):
                return
            time.sleep(0.01)
        elif pid in ours:
            _exited_early.add(pid)


_known_children: set[int] = set()
_exited_early: set[int] = set()


def own(proc: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    """A long-running helper we started ourselves: ``reap_orphans`` never waits for it."""
    _known_children.add(proc.pid)


def disown(proc: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    _known_children.discard(proc.pid)


def wait_or_kill(proc: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float) -> None:
    """Let ``proc`` end by itself within ``timeout`` seconds, else kill it; reaped either way."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _orphans(ours: set[int]) -> list[int]:
    me = str(os.getpid())
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in ours:
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if fields[1] == me:
                found.append(int(entry.name))
    return found


def measure(argv: Sequence[str], *, timeout: float = 120.0) -> Measured:
    """Run ``argv`` to its end; wall time, CPU of the whole tree, and its standard output."""
    with tempfile.TemporaryFile() as out:
        before = children_cpu()
        started = time.time()
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(argv), stdout=out, stderr=subprocess.DEVNULL, env=python_env(),
                                cwd=ROOT)
        wait_or_kill(proc, timeout)
        wall = time.perf_counter() - t0
        reap_orphans()
        cpu = children_cpu() - before
        out.seek(0)
        text = out.read().decode(errors="replace")
    return Measured(started, wall, cpu, text, proc.returncode)


# -- packets on the wire ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Packet:
    at: float
    src: str
    dst: str
    info: str


def _address(token: str) -> str:
    """``10.201.0.2.45678`` (address.port, as tcpdump writes IPv4 endpoints) -> ``10.201.0.2``."""
    return ".".join(token.rstrip(":").split(".")[:4])


def parse_tcpdump(text: str) -> list[Packet]:
    packets: list[Packet] = []
    for line in text.splitlines():
        tokens = line.split(maxsplit=5)
        if len(tokens) < 5 or tokens[1] != "IP" or tokens[3] != ">":
            continue
        with contextlib.suppress(ValueError):
            packets.append(Packet(float(tokens[0]), _address(tokens[2]), _address(tokens[4]),
                                  tokens[5] if len(tokens) > 5 else ""))
    return packets


@contextlib.contextmanager
def capture(ns_argv: list[str], interface: str) -> Iterator[list[Packet]]:
    """tcpdump on ``interface`` for the block; the yielded list is filled when the block ends."""
    packets: list[Packet] = []
    with tempfile.NamedTemporaryFile("w+", suffix=".txt") as out:
        argv = [*ns_argv, "tcpdump", "-n", "-tt", "-l", "--immediate-mode", "-i", interface, "ip"]
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, text=True)
        own(proc)
        try:
            assert proc.stderr is not None
            line = ""
            for _ in range(5):
                line = proc.stderr.readline()
                if "listening" in line or not line:
                    break
            if "listening" not in line:
                raise RuntimeError(f"tcpdump did not start: {line.strip()}")
            yield packets
            time.sleep(0.05)  # the last replies reach the capture buffer
        finally:
            proc.send_signal(signal.SIGINT)
            wait_or_kill(proc, 5)
            if proc.stderr is not None:
                proc.stderr.close()
            disown(proc)
        out.seek(0)
        packets.extend(parse_tcpdump(out.read()))


def path_complete(packets: list[Packet], me: str, hops: list[frozenset[str]]) -> tuple[float, float] | None:
    """(first probe out, moment every hop had answered at least once), or ``None`` if some hop never did."""
    out = [p.at for p in packets if p.src == me]
    if not out:
        return None
    first_seen: dict[str, float] = {}
    for packet in packets:
        if packet.dst == me and packet.src not in first_seen:
            first_seen[packet.src] = packet.at
    done = 0.0
    for hop in hops:
        times = [first_seen[address] for address in hop if address in first_seen]
        if not times:
            return None
        done = max(done, min(times))
    return min(out), done


# -- reading the peers' output --------------------------------------------------------------------------

_TTL_LINE = re.compile(r"^\s*(\d+)\s")
_RTT = re.compile(r"([\d.]+) ms")


def traceroute_rtts(text: str) -> dict[int, list[float]]:
    """RTTs in ms per TTL from ``traceroute -n`` output (every responder of the TTL together)."""
    result: dict[int, list[float]] = {}
    for line in text.splitlines():
        match = _TTL_LINE.match(line)
        if match:
            result[int(match[1])] = [float(value) for value in _RTT.findall(line)]
    return result


_MTR_ROW = re.compile(r"^\s*(\d+)\.\|--\s+(\S+)\s+([\d.]+)%\s+(\d+)")


def mtr_sent(text: str) -> int:
    """Probes mtr sent: the sum of its Snt column."""
    return sum(int(match[4]) for line in text.splitlines() if (match := _MTR_ROW.match(line)))


# -- load -----------------------------------------------------------------------------------------------

_SPIN = "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"


@contextlib.contextmanager
def busy_cores(count: int, seconds: float = 600.0) -> Iterator[None]:
    """``count`` processes spinning on the CPU for the block (each stops by itself after ``seconds``)."""
    procs = [subprocess.Popen(["python3", "-c", _SPIN.format(seconds=seconds)]) for _ in range(count)]
    for proc in procs:
        own(proc)
    try:
        time.sleep(0.2)
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
            disown(proc)
