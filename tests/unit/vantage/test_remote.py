"""A remote trace through the real ``--stream`` of a local tuitrace: ``ssh`` is replaced by a shell that
runs the remote words here, so everything but the transport is the real thing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tuitrace.config import Protocol
from tuitrace.defaults import INTERVAL_S, MAX_TTL, SENDWAIT_S, WAIT_S
from tuitrace.probe.types import Outcome
from tuitrace.stats.snapshot import RunState
from tuitrace.timeline.events import EventKind
from tuitrace.vantage.lines import NewerStreamError, Round, Start, read_line
from tuitrace.vantage.remote import RemoteEngine, VantageFailedError
from tuitrace.vantage.ssh import Backoff, Vantage

SCENARIO = str(Path(__file__).parents[2] / "scenarios" / "linear_v4.toml")
TARGET = "198.51.100.9"
HERE = f"{sys.executable} -m tuitrace"
WORDS = ["-i", "0.05", "-w", "0.2", "-n", "--no-lookups", "--simulate", SCENARIO, TARGET]


def local_shell(argv: list[str]) -> subprocess.Popen[bytes]:
    """Runs the remote words (ssh's last argument) in a local shell, as the remote sshd would."""
    return subprocess.Popen(["sh", "-c", argv[-1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def scripted(*scripts: str) -> tuple[list[list[str]], object]:
    """A spawn that runs one shell script per connection (the last one again when they run out)."""
    calls: list[list[str]] = []

    def spawn(argv: list[str]) -> subprocess.Popen[bytes]:
        calls.append(argv)
        script = scripts[min(len(calls), len(scripts)) - 1]
        return subprocess.Popen(["sh", "-c", script.replace("REMOTE", argv[-1])], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    return calls, spawn


def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_remote_trace_fills_the_same_statistics_as_a_local_one() -> None:
    engine = RemoteEngine(Vantage("lab-host", "ops"), ["-c", "4", *WORDS], host=TARGET, remote_command=HERE,
                          spawn=local_shell)
    engine.run()
    snap = engine.snapshot()
    assert engine.error is None and snap.state is RunState.FINISHED and engine.connections == 1
    assert (snap.target, snap.reached, snap.path_length, snap.rounds) == (TARGET, True, 4, 4)
    assert snap.host == f"{TARGET} from ops@lab-host" and snap.mode.value == "simulated"
    assert [h.ttl for h in snap.hops] == [1, 2, 3, 4]
    assert all(h.sent == 4 and h.received == 4 for h in snap.hops)
    assert [e.kind for e in engine.events()] == [EventKind.REACHED]


def test_keys_go_to_the_remote_side_and_come_back_as_its_setting() -> None:
    engine = RemoteEngine(Vantage("lab-host"), WORDS, host=TARGET, remote_command=HERE, spawn=local_shell)
    engine.start()
    try:
        wait_for(lambda: engine.snapshot().rounds >= 1)
        engine.set_protocol(Protocol.TCP, 443)
        engine.set_sendwait(0.002)
        wait_for(lambda: engine.snapshot().setting.label == "TCP/443")
        wait_for(lambda: len([e for e in engine.events() if e.kind is EventKind.SETTING]) == 2)
    finally:
        engine.stop()
    texts = [e.text for e in engine.events() if e.kind is EventKind.SETTING]
    assert texts == ["Probes changed from ICMP to TCP/443.", "Sendwait changed from 0 s to 0.002 s."]
    assert engine.snapshot().state is RunState.FINISHED


def test_refused_authentication_ends_this_vantage_point_with_one_line_and_no_retry() -> None:
    calls, spawn = scripted('echo "ops@lab-host: Permission denied (publickey)." >&2; exit 255')
    engine = RemoteEngine(Vantage("lab-host", "ops"), WORDS, host=TARGET, spawn=spawn,  # type: ignore[arg-type]
                          backoff=Backoff(first_s=0.01))
    engine.run()
    assert isinstance(engine.error, VantageFailedError) and len(calls) == 1
    assert str(engine.error) == (
        "ssh to ops@lab-host was refused (authentication): ops@lab-host: Permission denied (publickey).")


def test_a_dropped_connection_is_retried_and_the_trace_goes_on() -> None:
    calls, spawn = scripted(
        'echo "ssh: connect to host lab-host port 22: Connection refused" >&2; exit 255',
        "echo 'Welcome to lab-host (motd)'; REMOTE",  # a shell profile that prints: counted, dropped
    )
    engine = RemoteEngine(Vantage("lab-host"), ["-c", "2", *WORDS], host=TARGET, remote_command=HERE,
                          spawn=spawn, backoff=Backoff(first_s=0.01))  # type: ignore[arg-type]
    engine.run()
    assert engine.error is None and len(calls) == 2 and engine.connections == 2
    assert engine.snapshot().rounds == 2 and engine.dropped_lines == 1
    [message] = engine.take_messages()
    assert message == ("cannot reach lab-host over ssh: ssh: connect to host lab-host port 22: Connection "
                       "refused; connecting again in 0.01 s")


def test_a_missing_remote_tuitrace_says_how_to_install_it() -> None:
    engine = RemoteEngine(Vantage("lab-host"), WORDS, host=TARGET, remote_command="/nonexistent/tuitrace",
                          spawn=local_shell)
    engine.run()
    assert str(engine.error).startswith("/nonexistent/tuitrace not found on lab-host: install it there")


def test_stream_lines_read_back_and_anything_else_is_dropped() -> None:
    start = read_line('{"type":"start","version":1,"host":"h","target":"192.0.2.1","family":4,'
                      '"protocol":"udp","port":null,"mode":"raw","interval":1.0,"sendwait":0.0,"wait":3.0,'
                      '"max_ttl":30}')
    assert isinstance(start, Start) and start.setting.label == "UDP 33434+n"
    line = ('{"type":"round","round":7,"time":"2026-12-01T00:00:00.000Z","t_s":7.0,"protocol":"tcp",'
            '"port":443,"hops":[{"ttl":1,"outcome":"time-exceeded","address":"192.0.2.9","rtt_ms":0.25,'
            '"annotation":null},{"ttl":2,"outcome":"unreachable","address":"192.0.2.1","rtt_ms":1.5,'
            '"annotation":"!X"}]}')
    record = read_line(line)
    assert isinstance(record, Round) and record.round == 7
    assert [(r.ttl, r.outcome, r.rtt_ns, r.annotation) for r in record.results] == [
        (1, Outcome.TIME_EXCEEDED, 250_000, None), (2, Outcome.UNREACHABLE, 1_500_000, "!X")]
    for garbage in ("Last login: Tue", "[]", '{"type":"round"}', '{"type":"round","round":"7"}',
                    line.replace('"ttl":1', '"ttl":true'), line.replace("time-exceeded", "sideways"),
                    line.replace('"ttl":1', '"ttl":300'), line.replace('"round":7', '"round":-1'),
                    line.replace('"192.0.2.9"', '"[bold]192.0.2.9[/]"'), line.replace("0.25", "NaN"),
                    line.replace("0.25", "1e300"), line.replace('"!X"', '"\\u001b[31m"'),
                    line.replace('"port":443', '"port":0'), line.replace('"t_s":7.0', '"t_s":-Infinity'),
                    '{"type":"event","kind":"x"}', "x" * (2 << 20)):
        assert read_line(garbage) is None, garbage
    with pytest.raises(NewerStreamError):
        read_line('{"type":"start","version":99}')


def test_event_texts_from_the_remote_side_are_inert() -> None:
    record = read_line('{"type":"event","time":"2026-12-01T00:00:00.000Z","t_s":1.0,"kind":"lost","ttl":5,'
                       '"address":null,"duration_s":null,"text":"gone\\u001b]52;c;cm0gLXJmIH4=\\u0007 now"}')
    assert record is not None and not isinstance(record, Round | Start)
    assert "\x1b" not in str(record) and "\x07" not in str(record)


def test_a_remote_that_prints_garbage_and_a_10_mb_line_is_contained() -> None:
    script = ("printf 'motd line\\n{\\n'; head -c 10000000 /dev/zero | tr '\\0' x; printf '\\n'; "
              "printf '\\377\\376 not text\\n'; REMOTE")
    _calls, spawn = scripted(script)
    engine = RemoteEngine(Vantage("lab-host"), ["-c", "2", *WORDS], host=TARGET, remote_command=HERE,
                          spawn=spawn)  # type: ignore[arg-type]
    engine.run()
    assert engine.error is None and engine.snapshot().rounds == 2
    assert engine.dropped_lines == 4 and engine.snapshot().dropped == 4


def test_a_trace_cut_mid_run_says_so_and_resumes_with_the_rounds_still_to_come() -> None:
    cut_after_round_1 = ("REMOTE | awk '/\"type\":\"round\"/ {n++} n >= 2 {exit} {print; fflush()}'; "
                         "echo 'Connection to lab-host closed by remote host.' >&2; exit 255")
    calls, spawn = scripted(cut_after_round_1, "REMOTE")
    engine = RemoteEngine(Vantage("lab-host"), ["-c", "3", *WORDS], host=TARGET, remote_command=HERE,
                          spawn=spawn, backoff=Backoff(first_s=0.5))  # type: ignore[arg-type]
    assert engine.snapshot().link == "connecting to lab-host"
    engine.start()
    try:
        wait_for(lambda: engine.snapshot().link is not None and "dropped" in str(engine.snapshot().link))
        assert engine.snapshot().link == ("the connection to lab-host dropped: Connection to lab-host closed "
                                          "by remote host.; connecting again in 0.5 s")
        wait_for(lambda: not engine.running)
    finally:
        engine.stop()
    snap = engine.snapshot()
    assert engine.error is None and engine.connections == 2 and snap.link is None
    assert " -c 3 " in calls[0][-1] and " -c 2 " in calls[1][-1]  # the second asks for what is left
    assert snap.rounds == 3 and all(h.sent == 3 and h.received == 3 for h in snap.hops)


def test_the_count_asked_of_the_remote_side_is_its_own_option_only() -> None:
    engine = RemoteEngine(Vantage("lab-host"), ["-i", "0.05", "--", "-c"], host=TARGET, spawn=local_shell)
    assert engine.argv()[-1].endswith("--stream -i 0.05 -- -c")


def test_before_its_start_line_a_remote_trace_shows_the_local_defaults() -> None:
    engine = RemoteEngine(Vantage("lab-host", "ops"), WORDS, host=TARGET, remote_command=HERE,
                          spawn=local_shell)
    snap = engine.snapshot()  # not started: nothing came from the other side yet
    assert (snap.interval, snap.sendwait, snap.wait) == (INTERVAL_S, SENDWAIT_S, WAIT_S)
    assert snap.max_ttl == MAX_TTL
    assert (snap.target, snap.hops, snap.probes_sent, snap.state) == (TARGET, (), 0, RunState.RUNNING)
