"""A trace that runs on another host: ``EngineControl`` over ``ssh host tuitrace --stream``.

The remote tuitrace probes from where it runs and streams each round's results; here they go into the
same :class:`~tuitrace.stats.trace.StatsBook` the local engine fills, so the table, the reports and the
findings read a remote trace exactly as a local one. Its events are the remote detector's, taken as they
come (it saw every probe). Keys become ``--stream`` commands on the remote's standard input and are sent
again after a reconnection, so a dropped link does not undo them.

Failures stay with this vantage point: a host key mismatch, refused authentication or a missing tuitrace
end it with one line (``error``); a dropped or unreachable connection is retried with a doubling pause.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import IO

from tuitrace.config import Mode, Protocol, Setting
from tuitrace.defaults import INTERVAL_S, MAX_TTL, SENDWAIT_MS_ABOVE, SENDWAIT_S, WAIT_S
from tuitrace.engine.commands import command_lines
from tuitrace.engine.engine import EVENT_LIMIT
from tuitrace.errors import TuitraceError
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.stats.trace import RunHead, RunProgress, StatsBook, run_state
from tuitrace.timeline.events import Event
from tuitrace.vantage.lines import MAX_LINE, NewerStreamError, RemoteError, Round, Start, read_line
from tuitrace.vantage.ssh import Backoff, Failure, Vantage, classify, explain, ssh_command

Spawn = Callable[[list[str]], "subprocess.Popen[bytes]"]
MESSAGE_LIMIT = 100


class VantageFailedError(TuitraceError):
    """The remote trace ended for good (shown in its tab; the other traces go on)."""


def spawn(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # Ctrl+C in the TUI must not reach ssh directly


class RemoteEngine:
    """Implements ``EngineControl`` for one vantage point."""

    def __init__(
        self, vantage: Vantage, trace_words: Sequence[str], *, host: str, remote_command: str = "tuitrace",
        ssh_config: str | None = None, spawn: Spawn = spawn, backoff: Backoff | None = None,
        monotonic_ns: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        self.vantage = vantage
        self.error: BaseException | None = None
        self._words = tuple(trace_words)
        self._ssh_config = ssh_config
        self._count_at = _count_at(self._words)
        self._count = int(self._words[self._count_at]) if self._count_at is not None else None
        self._remote_command = remote_command
        self._spawn = spawn
        self._backoff = backoff or Backoff()
        self._now = monotonic_ns
        self._host = host
        self._listeners: list[Callable[[ProbeResult], None]] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._start: Start | None = None
        self._book = StatsBook()
        self._setting: Setting | None = None
        self._events: deque[Event] = deque(maxlen=EVENT_LIMIT)
        self._messages: list[str] = []
        self._wanted: dict[str, str] = {}
        """The commands that make the remote trace what the keys asked for, by what they set."""
        self._paused = False
        self._rounds = 0
        self._last_round: dict[int, Outcome] = {}
        self._end: int | None = None
        self._reached = False
        self._started_ns = monotonic_ns()
        self.connections = 0
        self.dropped_lines = 0
        self._link: str | None = f"connecting to {vantage.label}"

    # -- running ---------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name=f"tuitrace-from-{self.vantage.host}",
                                            daemon=True)
            self._thread.start()

    def run(self) -> None:
        """Connects, reads, reconnects, until stopped, the remote run ends (its ``-c``), or a failure is
        final."""
        while not self._stopping.is_set():
            failure, stderr = self._session()
            if self._stopping.is_set() or failure is None:
                return
            message = explain(failure, self.vantage, stderr, self._remote_command)
            if not failure.retried:
                self.error = VantageFailedError(message)
                return
            pause = self._backoff.pause()
            note = f"{message}; connecting again in {pause:g} s"
            with self._lock:
                self._link = note
            self._message(note)
            if self._stopping.wait(pause):
                return

    def _session(self) -> tuple[Failure | None, str]:
        """One ssh connection: ``(None, "")`` when it ended because we are done, else why it failed."""
        process = self._spawn(self.argv())
        with self._lock:
            self._process = process
            self.connections += 1
        assert process.stdout is not None and process.stderr is not None
        stderr: deque[bytes] = deque(maxlen=50)
        reader = threading.Thread(target=_drain, args=(process.stderr, stderr), daemon=True)
        reader.start()
        got_data = False
        try:
            for text in command_lines(process.stdout, MAX_LINE):
                if self._stopping.is_set():
                    break
                if not got_data:
                    got_data = True
                    self._backoff.connected()
                    with self._lock:
                        self._link = None
                try:
                    self._take(text)
                except NewerStreamError as exc:
                    self.error = VantageFailedError(f"{self.vantage.label}: {exc}")
                    self._stopping.set()
                    break
        finally:
            _end(process, at_once=self._stopping.is_set())
            reader.join(timeout=2)
        if self._stopping.is_set() or process.returncode == 0:  # stopped here, or its -c rounds are done
            self._stopping.set()
            return None, ""
        if self._count is not None and self._rounds >= self._count:
            self._stopping.set()  # every round arrived before the connection broke: nothing to resume
            return None, ""
        text = b"".join(stderr).decode("utf-8", errors="replace")
        return classify(process.returncode if process.returncode is not None else 255, text), text

    def argv(self) -> list[str]:
        """The ssh command of the next connection. With ``-c N`` it asks for the rounds still to come, so a
        trace that reconnected ends with N rounds in all, as it would have without the break."""
        words = self._words
        if self._count is not None and self._count_at is not None:
            at = self._count_at
            with self._lock:
                left = max(1, self._count - self._rounds)
            words = (*words[:at], str(left), *words[at + 1:])
        return ssh_command(self.vantage, words, remote_command=self._remote_command,
                           ssh_config=self._ssh_config)

    def flows(self) -> FlowsSnapshot | None:
        """A remote trace's flows stay over there (``--flows`` is not passed on)."""
        return None

    def take_arrived(self) -> None:
        """The local engine's start-up step; a remote trace's rounds are taken as they come."""

    def add_listener(self, listener: Callable[[ProbeResult], None]) -> None:
        """Called with every probe result, as the local engine's listeners are (lookups ask here)."""
        self._listeners.append(listener)

    def _take(self, text: str) -> None:
        record = read_line(text)
        with self._lock:
            match record:
                case None:
                    self.dropped_lines += 1
                case Start():
                    self._start = record
                    if self._setting is None:
                        self._setting = record.setting
                    self._resend()
                case Round():
                    self._round(record)
                case RemoteError():
                    self._message(f"{self.vantage.label}: {record.message}")
                case _:
                    self._events.append(record)

    def _round(self, record: Round) -> None:
        now = self._now()
        for result in record.results:
            self._setting = result.setting
            self._book.add(result, now)
            for listener in self._listeners:
                listener(result)
            if result.final:
                self._end = result.ttl if self._end is None else min(self._end, result.ttl)
            if result.outcome is Outcome.REACHED:
                self._reached = True
            elif self._end is not None and result.ttl == self._end and result.outcome is Outcome.LOST:
                self._reached = False
        if self._end is not None and self._setting is not None:
            self._book.trim(self._setting, self._end, now)
        self._rounds += 1

    def _resend(self) -> None:
        for line in self._wanted.values():
            self._send_locked(line)

    def _send(self, key: str, line: str) -> None:
        with self._lock:
            self._wanted[key] = line
            self._send_locked(line)

    def _send_locked(self, line: str) -> None:
        process = self._process
        if process is None or process.stdin is None or process.poll() is not None:
            return  # sent on the next connection (``_resend``)
        try:
            process.stdin.write(line.encode() + b"\n")
            process.stdin.flush()
        except OSError:
            pass  # the connection is going; the reconnection sends it

    def _message(self, text: str) -> None:
        with self._lock:
            if len(self._messages) < MESSAGE_LIMIT:
                self._messages.append(text)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def request_stop(self) -> None:
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()

    def stop(self) -> None:
        self.request_stop()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    # -- EngineControl -----------------------------------------------------------------------------------
    def set_protocol(self, protocol: Protocol, port: int | None) -> None:
        words = f"protocol {protocol.value}" + (f" {port}" if port is not None and protocol is not
                                                 Protocol.ICMP else "")
        self._send("protocol", words)

    def set_sendwait(self, seconds: float) -> None:
        milliseconds = seconds * 1000
        value = milliseconds if milliseconds > SENDWAIT_MS_ABOVE else seconds  # -z's rule, read remotely
        self._send("sendwait", f"sendwait {value:g}")

    def set_interval(self, seconds: float) -> None:
        self._send("interval", f"interval {seconds:g}")

    def pause(self) -> None:
        self._paused = True
        self._send("pause", "pause")

    def resume(self) -> None:
        self._paused = False
        self._send("pause", "resume")

    def reset(self) -> None:
        with self._lock:
            if self._setting is not None:
                self._book.reset(self._setting, self._now())
            self._send_locked("reset")

    def take_messages(self) -> list[str]:
        with self._lock:
            messages, self._messages = self._messages, []
        return messages

    def events(self) -> list[Event]:
        with self._lock:
            return list(self._events)

    def snapshot(self) -> TraceSnapshot:
        now = self._now()
        with self._lock:
            start = self._start
            setting = self._setting or Setting(Protocol.ICMP, None)
            trace = self._book.get(setting, now)
            last = self._end if self._end is not None else max(trace.hops, default=0) + 1
            max_ttl = start.max_ttl if start is not None else MAX_TTL
            head = RunHead(
                host=f"{self._host} from {self.vantage.label}",
                target=start.target if start is not None else self._host,
                family=start.family if start is not None else 4,
                mode=_mode(start),
                interval=start.interval if start is not None else INTERVAL_S,
                sendwait=start.sendwait if start is not None else SENDWAIT_S,
                wait=start.wait if start is not None else WAIT_S,
                max_ttl=max_ttl,
            )
            finished = self._stopping.is_set() or self.error is not None
            progress = RunProgress(
                state=run_state(finished=finished, paused=self._paused), rounds=self._rounds,
                reached=self._reached, path_length=self._end, probes_sent=None, dropped=self.dropped_lines,
                link=None if finished else self._link,
            )
            shown = range(1, min(last, max_ttl) + 1) if trace.hops else range(0)
            return self._book.snapshot(head, setting, now, shown, progress)


def _count_at(words: Sequence[str]) -> int | None:
    """Where the N of ``-c N`` is among the remote trace's own words (before ``--`` and the host)."""
    options = words[:words.index("--")] if "--" in words else words
    if "-c" not in options:
        return None
    at = options.index("-c") + 1
    return at if at < len(options) and options[at].isdecimal() else None


def _mode(start: Start | None) -> Mode:
    try:
        return Mode(start.mode) if start is not None else Mode.RAW
    except ValueError:
        return Mode.RAW


def _drain(stream: IO[bytes], into: deque[bytes]) -> None:
    for line in stream:
        into.append(line)


def _end(process: subprocess.Popen[bytes], *, at_once: bool) -> None:
    """Waits for ssh to end after its output did (its exit status says why); ends it when we stop."""
    try:
        process.wait(timeout=0 if at_once else 5)
        return
    except subprocess.TimeoutExpired:
        process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
