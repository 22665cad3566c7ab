"""``--stream``'s commands on standard input: the TUI's keys as lines, refused with one line when wrong,
and a real ``--stream`` run that follows them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tuitrace.config import Protocol
from tuitrace.engine.commands import (
    MAX_LINE,
    Command,
    Verb,
    apply_command,
    command_lines,
    follow_commands,
    parse_command,
)
from tuitrace.stats.snapshot import TraceSnapshot

SCENARIO = str(Path(__file__).parents[2] / "scenarios" / "linear_v4.toml")
TARGET = "198.51.100.9"
KNOWN = "(known: protocol, port, sendwait, interval, pause, resume, reset, stop)"


@pytest.mark.parametrize(("line", "command"), [
    ("protocol tcp 443", Command(Verb.PROTOCOL, protocol=Protocol.TCP, port=443)),
    ("  PROTOCOL udp   # classic", Command(Verb.PROTOCOL, protocol=Protocol.UDP)),
    ("protocol icmp", Command(Verb.PROTOCOL, protocol=Protocol.ICMP)),
    ("port 53", Command(Verb.PORT, port=53)),
    ("port default", Command(Verb.PORT)),
    ("sendwait 50", Command(Verb.SENDWAIT, seconds=0.05)),  # above 10: milliseconds, as -z
    ("sendwait 2", Command(Verb.SENDWAIT, seconds=2.0)),
    ("interval 0.5", Command(Verb.INTERVAL, seconds=0.5)),
    ("pause", Command(Verb.PAUSE)),
    ("stop", Command(Verb.STOP)),
])
def test_commands_read_as_the_keys_and_flags_do(line: str, command: Command) -> None:
    assert parse_command(line) == command


@pytest.mark.parametrize("line", ["", "   ", "# a comment"])
def test_blank_and_comment_lines_are_nothing(line: str) -> None:
    assert parse_command(line) is None


@pytest.mark.parametrize(("line", "error"), [
    ("jump 3", f"unknown command 'jump' {KNOWN}"),
    ("protocol sctp", "unknown protocol 'sctp' (icmp, udp or tcp)"),
    ("protocol icmp 80", "ICMP has no port"),
    ("protocol", "protocol takes a protocol (icmp, udp, tcp) and an optional port"),
    ("port 70000", "port 70000 is out of range (1-65535)"),
    ("sendwait nan", "sendwait must be a finite number, not nan"),
    ("sendwait 1e9", "sendwait must be ≤ 10000, not 1e9"),
    ("interval", "interval takes one value"),
    ("pause now", "pause takes no argument"),
    ("x" * (MAX_LINE + 1), f"command line too long ({MAX_LINE + 1} characters, at most {MAX_LINE})"),
])
def test_a_wrong_command_is_one_line(line: str, error: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_command(line)
    assert str(caught.value) == error


class Recorder:
    """The engine seam, recording what was asked of it."""

    error: BaseException | None = None

    def __init__(self, protocol: Protocol) -> None:
        self.calls: list[tuple[object, ...]] = []
        self.protocol = protocol

    def snapshot(self) -> TraceSnapshot:
        class Setting:
            protocol = self.protocol

        class Snap:
            setting = Setting

        return Snap  # type: ignore[return-value]  # only .setting.protocol is read

    def set_protocol(self, protocol: Protocol, port: int | None) -> None:
        self.calls.append(("protocol", protocol, port))

    def set_sendwait(self, seconds: float) -> None:
        self.calls.append(("sendwait", seconds))

    def set_interval(self, seconds: float) -> None:
        self.calls.append(("interval", seconds))

    def pause(self) -> None:
        self.calls.append(("pause",))

    def resume(self) -> None:
        self.calls.append(("resume",))

    def reset(self) -> None:
        self.calls.append(("reset",))


def test_commands_drive_the_engine_and_bad_lines_are_counted_and_skipped() -> None:
    engine = Recorder(Protocol.TCP)
    refused: list[str] = []
    stops: list[bool] = []
    lines = ["protocol udp", "bogus", "port 8443", "sendwait 20", "interval 2", "pause", "resume", "reset",
             "stop"]
    count = follow_commands(lines, engine, lambda: stops.append(True), refused.append)  # type: ignore[arg-type]
    assert count == 1 and refused == [
        f"line 2: unknown command 'bogus' {KNOWN}"]
    assert engine.calls == [("protocol", Protocol.UDP, None), ("protocol", Protocol.TCP, 8443),
                            ("sendwait", 0.02), ("interval", 2.0), ("pause",), ("resume",), ("reset",)]
    assert stops == [True]
    apply_command(Command(Verb.PORT), engine, lambda: None)  # type: ignore[arg-type]
    assert engine.calls[-1] == ("protocol", Protocol.TCP, None)


def test_bytes_that_are_not_text_and_endless_lines_are_refused_once_each() -> None:
    stream = io.BytesIO(b"pause\n\xff\xfe\n" + b"y" * 10_000 + b"\nresume\r\n")
    lines = list(command_lines(stream))
    assert lines[0] == "pause" and lines[-1] == "resume"
    assert len(lines) == 4 and "\ufffd" in lines[1] and len(lines[2]) > MAX_LINE
    refused: list[str] = []
    engine = Recorder(Protocol.ICMP)
    follow_commands(lines, engine, lambda: None, refused.append)  # type: ignore[arg-type]
    assert len(refused) == 2 and engine.calls == [("pause",), ("resume",)]


def test_a_stream_run_follows_its_standard_input() -> None:
    """What ``ssh host tuitrace --stream`` gets from the side that started it: the switch shows as a setting
    event, a bad line as an error line, and ``stop`` ends the run cleanly."""
    proc = subprocess.Popen([sys.executable, "-m", "tuitrace", "--stream", "-i", "0.05", "-w", "0.2", "-n",
                             "--no-lookups", "--simulate", SCENARIO, TARGET],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    records: list[dict[str, object]] = []

    def read_until(done: Callable[[], bool]) -> None:
        assert proc.stdout is not None
        while not done():
            line = proc.stdout.readline()
            assert line, f"the stream ended early: {records}"
            records.append(json.loads(line))

    def of(kind: str) -> list[dict[str, object]]:
        return [r for r in records if kind in (r["type"], r.get("kind"))]

    read_until(lambda: bool(of("round")))
    proc.stdin.write("protocol tcp 443\nfly\n")
    proc.stdin.flush()
    read_until(lambda: bool(of("setting") and of("error")))  # either may come first
    assert [s["text"] for s in of("setting")] == ["Probes changed from ICMP to TCP/443."]
    assert [e["message"] for e in of("error")] == [
        f"line 2: unknown command 'fly' {KNOWN}"]
    proc.stdin.write("stop\n")
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr is not None and proc.stderr.read() == ""
