"""The probing loop: drives the sans-I/O tracer over a ``Network`` and keeps the statistics.

One thread owns the tracer and the sockets; the UI (another thread) only sends commands through a queue
and reads snapshots under a short lock, so a busy UI never delays a probe, and kernel receive timestamps
keep RTTs true even when Python is late to read them.

The lock covers every change to the tracer, the statistics and the messages: the engine thread holds it
while it works and lets go only while it waits for packets, so ``snapshot`` sees one consistent instant
(rows, path end, counters) and ``take_messages`` never loses a message appended while it swaps the list.
Everything the loop calls (commands, ``_absorb``, ``_collect``) runs with the lock already held, so the
loop takes it once per pass, not once per step. It is re-entrant so that a listener, called in the loop,
may take a snapshot.

Every result also goes to the event detector (:mod:`tuitrace.timeline`), and every setting change a key
makes becomes a ``setting`` event; the engine keeps the last ``EVENT_LIMIT`` events for the reports.
A :class:`~tuitrace.timeline.recording.RunRecorder` (``--record``) hears every batch of results with its
time, every applied command and the path summary whenever it changes, enough to rebuild the run.
For ``--stream``, event listeners get each event as it is found and round listeners each round once all
its probes have resolved (:mod:`tuitrace.timeline.rounds`), in the engine thread, lock held.
"""

from __future__ import annotations

import gc
import queue
import threading
import time
from collections import deque
from collections.abc import Callable

from tuitrace.config import Mode, Protocol, Setting, TraceConfig
from tuitrace.engine.first_round import FirstRound, send_due
from tuitrace.errors import TuitraceError
from tuitrace.probe.flows import UNPRIVILEGED_TCP_FLOWS_HINT
from tuitrace.probe.mda import MdaResult
from tuitrace.probe.network import Arrivals, Network
from tuitrace.probe.rounds import NS
from tuitrace.probe.tracer import Tracer
from tuitrace.probe.types import ProbeResult
from tuitrace.stats.flowbook import FlowBook, FlowsSnapshot
from tuitrace.stats.snapshot import TraceSnapshot, TtlCheck
from tuitrace.stats.trace import RunHead, RunProgress, StatsBook, run_state
from tuitrace.timeline.detector import Timeline
from tuitrace.timeline.events import Clock, Event
from tuitrace.timeline.recording import Command as Recorded
from tuitrace.timeline.recording import Counts, Progress, RunRecorder
from tuitrace.timeline.rounds import RoundAssembler, RoundRecord

IDLE_WAIT = 0.5
"""Longest sleep when nothing is due (paused, or all rounds sent): commands wake the loop anyway."""

EVENT_LIMIT = 1000
"""Events kept for the reports (the oldest go first): a week of route flapping must not fill memory."""
ROUND_SETTLE_MARGIN_NS = 100_000_000
"""Added to the wait before a round counts as complete: the loop expires lost probes a little late."""

Command = Callable[[int], None]


class Engine:
    """Implements ``EngineControl`` for the UI, and ``run`` for headless reports."""

    def __init__(self, config: TraceConfig, network: Network, first: FirstRound | None = None,
                 discovery: MdaResult | None = None) -> None:
        """``first``: the tracer that already sent its first round (``send_first_round``), to go on with;
        ``discovery``: what ``--mda`` found, whose flows the trace follows."""
        self._network = network
        self._tracer = Tracer(config, network.identity) if first is None else first.tracer
        self._book = StatsBook()
        self._lock = threading.RLock()
        self._commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._dropped = 0
        self._listeners: list[Callable[[ProbeResult], None]] = []
        self._messages: list[str] = []
        self.error: BaseException | None = None
        """What ended the background loop, if it did not end by ``stop``."""
        network.prepare(config.setting)
        started_ns = network.now_ns() if first is None else first.started_ns
        self._book.get(config.setting, started_ns)
        self._timeline = Timeline(config.setting, config.wait, started_ns, time.time())
        self._events: deque[Event] = deque(maxlen=EVENT_LIMIT)
        self._event_listeners: list[Callable[[Event], None]] = []
        self._round_listeners: list[Callable[[RoundRecord], None]] = []
        self._rounds: RoundAssembler | None = None
        """Gathers results into rounds, only while someone listens for rounds."""
        self._recorder: RunRecorder | None = None
        self._progress_key: tuple[object, ...] = ()
        us = network.identity
        self._flows = FlowBook(config.flows, us.tcp_port, discovery, us.udp_port) if config.flows else None
        """``--flows``: statistics per flow and per distinct path."""

    # -- running --------------------------------------------------------------------------------------
    def add_listener(self, listener: Callable[[ProbeResult], None]) -> None:
        """Call ``listener`` (in the engine thread) for every result, e.g. to ask for enrichment."""
        self._listeners.append(listener)

    def add_event_listener(self, listener: Callable[[Event], None]) -> None:
        """Call ``listener`` (in the engine thread) for every event as it is found."""
        self._event_listeners.append(listener)

    def add_round_listener(self, listener: Callable[[RoundRecord], None]) -> None:
        """Call ``listener`` (in the engine thread) for every round once all its probes have resolved."""
        self._round_listeners.append(listener)
        if self._rounds is None:
            self._rounds = RoundAssembler(int(self._tracer.config.wait * NS))

    def set_recorder(self, recorder: RunRecorder) -> None:
        """Tell ``recorder`` (in the engine thread, lock held) everything needed to rebuild the run."""
        self._recorder = recorder

    def _record(self, now: int, command: Recorded, value: object = None) -> None:
        if self._recorder is not None:
            self._recorder.command(now, command, value)

    def _record_progress(self, now: int) -> None:
        """Tell the recorder the path summary when it changed (after each batch of results: a new round
        shows with its first result)."""
        recorder = self._recorder
        assert recorder is not None
        tracer = self._tracer
        path = tracer.path()
        key = (path.rounds, path.end, path.reached, path.highest_answer, tracer.setting)
        if key == self._progress_key:
            return
        self._progress_key = key
        config = tracer.config
        progress = Progress(tracer.setting, path.rounds, path.end, path.reached,
                            path.last_shown(config.first_ttl, config.max_ttl))
        recorder.progress(now, progress, self.counts())

    def counts(self) -> Counts:
        """Probes sent, and packets dropped (did not parse, or answered none of our probes)."""
        counters = self._tracer.counters
        return Counts(counters.sent, self._dropped + counters.unmatched)

    def take_arrived(self) -> None:
        """Count what has arrived since the first round (without waiting), so that the first snapshot the
        screen draws shows the replies that came back while the interface was loading."""
        with self._lock:
            self._absorb(self._network.receive(0.0))

    def run(self) -> None:
        """Probe until the configured rounds are done (or ``stop``); blocks."""
        network, tracer, lock = self._network, self._tracer, self._lock
        gc.freeze()  # what exists at start lives for the whole run: keep it out of every collection
        with lock:
            tracer.start(network.now_ns())
            # Replies to a first round sent before the engine existed (send_first_round) are counted
            # before anything else is sent: they stay first in every per-round order (--stream).
            self._absorb(network.receive(0.0))
        while True:
            with lock:
                self._run_commands()
                if self._stopping.is_set() or tracer.finished:
                    break
                now = network.now_ns()
                if tracer.overdue(now):  # read what arrived in time before calling anything lost
                    self._absorb(network.receive(0.0))
                send_due(tracer, network, now)
                self._collect()
                deadline = tracer.next_deadline()
            timeout = IDLE_WAIT if deadline is None else max(0.0, (deadline - network.now_ns()) / NS)
            arrivals = network.receive(min(timeout, IDLE_WAIT))
            if arrivals.replies or arrivals.dropped:
                with lock:
                    self._absorb(arrivals)
        with lock:
            self._collect()
            self._finish_events()

    def _finish_events(self) -> None:
        """Close what the trace left open (a loss burst still going); harmless when done already."""
        self._timeline.finish()
        self._publish_events()
        if self._rounds is not None:
            for record in self._rounds.flush():
                for listener in self._round_listeners:
                    listener(record)

    def _absorb(self, arrivals: Arrivals) -> None:
        """Hand what arrived to the tracer; the back-end has decoded it and counted what it dropped."""
        replies, dropped = arrivals
        if dropped:
            self._dropped += dropped
        if not replies:
            return
        on_reply = self._tracer.on_reply
        for reply in replies:
            on_reply(reply)
        self._collect()

    def _collect(self) -> None:
        """Hand the tracer's results to the statistics and the listeners (the lock is held)."""
        tracer = self._tracer
        results = tracer.take_results()
        if not results:
            if self._rounds is not None:
                self._publish_rounds(self._network.now_ns())
            return
        now = self._network.now_ns()
        book = self._book
        add = book.add
        done = 0
        trims = tracer.take_trims()
        if self._recorder is not None:
            self._recorder.results(now, results, trims)
            self._record_progress(now)
        for position, setting, ttl in trims:  # rare: the path turned out to end lower
            for result in results[done:position]:
                add(result, now)
            book.trim(setting, ttl, now)
            done = position
        for result in results[done:]:
            add(result, now)
        observe = self._timeline.observe
        flows = self._flows
        if flows is None:
            for result in results:
                observe(result, now)
        else:  # events follow the application's own flow: the others take other branches on purpose
            for result in results:
                flows.add(result)
                if result.flow <= 1:
                    observe(result, now)
        self._publish_events()
        for listener in self._listeners:
            for result in results:
                listener(result)
        if self._rounds is not None:
            for result in results:
                if result.flow <= 1:  # --stream lines follow flow 1 too (one result per TTL and round)
                    self._rounds.add(result, now)
            self._publish_rounds(now)

    def _publish_events(self) -> None:
        events = self._timeline.take_events()
        if not events:
            return
        self._events.extend(events)
        for listener in self._event_listeners:
            for event in events:
                listener(event)

    def _publish_rounds(self, now: int) -> None:
        assert self._rounds is not None
        config = self._tracer.config
        settle = int(config.sendwait * (config.max_ttl - config.first_ttl + 1) * NS) + ROUND_SETTLE_MARGIN_NS
        for record in self._rounds.complete(now, int(config.wait * NS) + settle):
            for listener in self._round_listeners:
                listener(record)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run_guarded, name="tuitrace-engine", daemon=True)
            self._thread.start()

    def _run_guarded(self) -> None:
        try:
            self.run()
        except Exception as exc:  # shown by the UI instead of dying silently
            self.error = exc

    def request_stop(self) -> None:
        """Make ``run`` return after its current pass (from any thread, or from a listener within it);
        unlike ``stop`` it neither waits nor closes the sockets."""
        self._stopping.set()
        self._network.wake()

    def stop(self) -> None:
        self._stopping.set()
        self._network.wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        with self._lock:  # a run interrupted by a signal did not reach its end
            self._finish_events()
        self._network.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- commands (any thread; they run in the engine thread, with the lock held) ----------------------
    def _submit(self, command: Command) -> None:
        self._commands.put(command)
        self._network.wake()

    def _run_commands(self) -> None:
        if self._commands.empty():  # the usual case, and cheaper to ask than to catch ``queue.Empty``
            return
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            command(self._network.now_ns())

    def set_protocol(self, protocol: Protocol, port: int | None) -> None:
        setting = Setting(protocol, None if protocol is Protocol.ICMP else port)

        def apply(now: int) -> None:
            unprivileged = self._network.mode is Mode.UNPRIVILEGED
            if self._flows is not None and protocol is Protocol.TCP and unprivileged:
                self._messages.append(f"cannot trace {setting.label} flows: {UNPRIVILEGED_TCP_FLOWS_HINT}")
                return
            try:
                self._network.prepare(setting)
            except TuitraceError as exc:  # e.g. no ping sockets for ICMP: keep tracing what works
                self._messages.append(f"cannot trace {setting.label}: {exc}")
                return
            self._book.get(setting, now)
            before = self._tracer.setting
            self._tracer.set_setting(setting, now)
            self._record(now, Recorded.PROTOCOL, setting)
            if setting != before:
                self._setting_event(f"Probes changed from {before.label} to {setting.label}.", now, setting)

        self._submit(apply)

    def set_sendwait(self, seconds: float) -> None:
        def apply(now: int) -> None:
            before = self._tracer.config.sendwait
            self._tracer.set_sendwait(seconds)
            after = self._tracer.config.sendwait
            self._record(now, Recorded.SENDWAIT, after)
            if after != before:
                self._setting_event(f"Sendwait changed from {before:g} s to {after:g} s.", now)

        self._submit(apply)

    def set_interval(self, seconds: float) -> None:
        def apply(now: int) -> None:
            before = self._tracer.config.interval
            self._tracer.set_interval(seconds, now)
            after = self._tracer.config.interval
            self._record(now, Recorded.INTERVAL, after)
            if after != before:
                self._setting_event(f"Interval changed from {before:g} s to {after:g} s.", now)

        self._submit(apply)

    def _setting_event(self, text: str, now: int, setting: Setting | None = None) -> None:
        self._record(now, Recorded.NOTE, (text, setting))
        self._timeline.setting_changed(text, now, setting)
        self._publish_events()

    def pause(self) -> None:
        def apply(now: int) -> None:
            self._tracer.pause()
            self._record(now, Recorded.PAUSE)

        self._submit(apply)

    def resume(self) -> None:
        def apply(now: int) -> None:
            self._tracer.resume(now)
            self._record(now, Recorded.RESUME)

        self._submit(apply)

    def reset(self) -> None:
        def apply(now: int) -> None:
            setting = self._tracer.setting
            self._book.reset(setting, now)
            if self._flows is not None:
                self._flows.reset(setting)
            self._tracer.forget(setting, now)
            self._timeline.forget()
            self._record(now, Recorded.RESET)

        self._submit(apply)

    # -- reading (any thread) -------------------------------------------------------------------------
    def take_messages(self) -> list[str]:
        """Messages for the user since the last call (a refused protocol switch...)."""
        with self._lock:
            messages, self._messages = self._messages, []
        return messages

    @property
    def clock(self) -> Clock:
        """The trace's start, to give other records the times events carry."""
        return self._timeline.clock

    def events(self) -> list[Event]:
        """The events so far, oldest first (the last ``EVENT_LIMIT``)."""
        with self._lock:
            return list(self._events)

    def flows(self) -> FlowsSnapshot | None:
        """``--flows``: each flow's hops and the distinct paths of the current setting; ``None`` without."""
        with self._lock:
            if self._flows is None:
                return None
            return self._flows.snapshot(self._tracer.setting)

    @property
    def matched(self) -> int:
        """Packets that answered one of our probes so far (with ``snapshot().dropped``, every packet read)."""
        with self._lock:
            return self._tracer.counters.matched

    def snapshot(self, setting: Setting | None = None) -> TraceSnapshot:
        """The statistics of ``setting`` (by default the one being traced) as they are now."""
        tracer = self._tracer
        with self._lock:
            now = self._network.now_ns()
            config = tracer.config
            setting = tracer.setting if setting is None else setting
            path = tracer.path(setting)
            check = tracer.reference.counts(setting) if setting.protocol is Protocol.TCP else None
            finished = tracer.finished or self._stopping.is_set() or self.error is not None
            progress = RunProgress(
                state=run_state(finished=finished, paused=tracer.paused),
                rounds=path.rounds,
                reached=path.reached,
                path_length=path.end,
                probes_sent=tracer.counters.sent,
                dropped=self._dropped + tracer.counters.unmatched,
                ttl_check=None if check is None else TtlCheck(*check),
            )
            shown = range(config.first_ttl, path.last_shown(config.first_ttl, config.max_ttl) + 1)
            return self._book.snapshot(RunHead.of(config, self._network.mode), setting, now, shown, progress)
