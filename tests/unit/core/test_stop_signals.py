"""SIGTERM, SIGHUP and SIGINT end a headless report the way Ctrl+C does: what was measured is printed,
marked partial, and the exit status is 128 + the signal. Also the pieces of ``tuitrace.lifecycle``."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tuitrace.errors import TuitraceError
from tuitrace.lifecycle import (
    Interrupted,
    StopSignals,
    mark_partial_json,
    mark_partial_text,
    require_terminal,
    write_out,
)

ROOT = Path(__file__).resolve().parents[3]
SCENARIO = ROOT / "tests" / "scenarios" / "linear_v4.toml"
WAIT_S = 60.0
"""How long a started tuitrace may take to get going on a busy machine (a limit, not a measurement)."""
STOP = [signal.SIGTERM, signal.SIGHUP, signal.SIGINT]


def catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler for ``signum`` (``SigCgt`` in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    mask = next(int(line.split()[1], 16) for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(mask >> (signum - 1) & 1)


def start_report(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tuitrace", "--simulate", str(SCENARIO), "-n", "--no-lookups",
         "-i", "0.05", "-c", "1000", *argv, "x"],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen[str], signum: int) -> tuple[int, str, str]:
    """Send ``signum`` once the run is probing (its SIGTERM handler is in place); exit status and output."""
    deadline = time.monotonic() + WAIT_S
    while not catches(process.pid, signal.SIGTERM):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            out, err = process.communicate()
            raise AssertionError(f"tuitrace never started handling SIGTERM (status {process.returncode}):\n"
                                 f"{out}{err}")
        time.sleep(0.05)
    process.send_signal(signum)
    try:
        out, err = process.communicate(timeout=WAIT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, out, err


@pytest.mark.parametrize("signum", STOP, ids=lambda s: signal.Signals(s).name)
def test_a_stop_signal_prints_the_partial_text_report(signum: signal.Signals) -> None:
    status, out, err = stop(start_report("--report"), signum)
    assert status == 128 + signum, err
    lines = out.splitlines()
    assert lines[0].startswith("tuitrace to x (198.51.100.9)")
    assert lines[1].split()[:2] == ["TTL", "Host"], out  # the table, with whatever was measured so far
    rounds = int(lines[0].split(" rounds")[0].rsplit(" ", 1)[1])
    plural = "" if rounds == 1 else "s"
    assert lines[-1] == f"partial: interrupted by {signum.name} after {rounds} round{plural}"
    assert "Traceback" not in err


def test_sigterm_marks_the_json_report_partial() -> None:
    status, out, err = stop(start_report("--json"), signal.SIGTERM)
    assert status == 128 + signal.SIGTERM, err
    report = json.loads(out)
    assert report["partial"] is True and report["interrupted_by"] == "SIGTERM"
    assert report["target"]["address"] == "198.51.100.9" and isinstance(report["hops"], list)


def test_sighup_prints_the_csv_and_says_partial_on_stderr() -> None:
    status, out, err = stop(start_report("--csv"), signal.SIGHUP)
    assert status == 128 + signal.SIGHUP, err
    header = next(csv.reader(io.StringIO(out)))
    assert "ttl" in header
    assert "partial: interrupted by SIGHUP" in err
    assert "Traceback" not in err


# -- the pieces -------------------------------------------------------------------------------------------

@pytest.fixture
def guarded() -> Iterator[StopSignals]:
    with StopSignals() as signals:
        yield signals


def test_the_first_signal_interrupts_later_ones_are_ignored_once_finishing(guarded: StopSignals) -> None:
    with pytest.raises(Interrupted) as caught:
        os.kill(os.getpid(), signal.SIGHUP)
        time.sleep(1)  # the handler runs before this returns
    assert caught.value.signum == signal.SIGHUP
    guarded.finish()
    os.kill(os.getpid(), signal.SIGTERM)  # would kill pytest if not handled
    assert guarded.status() == 128 + signal.SIGHUP
    assert guarded.partial_note(1) == "partial: interrupted by SIGHUP after 1 round"


def test_the_previous_handlers_come_back() -> None:
    before = {signum: signal.getsignal(signum) for signum in STOP}
    with StopSignals():
        assert all(signal.getsignal(signum) is not before[signum] for signum in STOP)
    assert {signum: signal.getsignal(signum) for signum in STOP} == before


def test_inside_a_running_loop_a_signal_becomes_an_exit_request(guarded: StopSignals) -> None:
    requested: list[int] = []

    async def main() -> None:
        done = asyncio.Event()

        def request(status: int) -> None:
            requested.append(status)
            done.set()

        with guarded.exit_loop(request):
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.wait_for(done.wait(), WAIT_S)

    asyncio.run(main())
    assert requested == [128 + signal.SIGTERM]
    assert guarded.status(0) == 143


def test_without_a_signal_nothing_is_marked(guarded: StopSignals) -> None:
    assert guarded.status(0) == 0 and guarded.partial_note(5) == ""
    assert mark_partial_text("report\n", "") == "report\n"
    assert mark_partial_json('{"a": 1}\n', guarded) == '{"a": 1}\n'


def test_the_json_mark_keeps_the_document() -> None:
    signals = StopSignals(received=signal.SIGTERM)
    marked = json.loads(mark_partial_json(json.dumps({"rounds": 3, "hops": []}), signals))
    assert marked == {"rounds": 3, "hops": [], "partial": True, "interrupted_by": "SIGTERM"}


class Gone(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(5, "Input/output error")


def test_writing_to_a_terminal_that_is_gone_is_not_a_traceback() -> None:
    assert write_out("report\n", Gone()) is False
    assert write_out("report\n", io.StringIO()) is True


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("missing", ["standard input", "standard output", "standard error"])
def test_the_live_screen_needs_a_terminal_on_every_stream(missing: str) -> None:
    streams: dict[str, io.StringIO] = {name: Tty() for name in ("standard input", "standard output",
                                                                  "standard error")}
    streams[missing] = io.StringIO()
    with pytest.raises(TuitraceError, match=f"{missing} is not one.*--report"):
        require_terminal(*streams.values())
    require_terminal(Tty(), Tty(), Tty())


def test_without_a_terminal_the_live_screen_refuses_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tuitrace", "--simulate", str(SCENARIO), "-n", "--no-lookups", "x"],
        cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=WAIT_S, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert "needs a terminal" in done.stderr and "--report" in done.stderr
