"""The replay: a recording fed back into the statistics and the event detector the live engine uses.

:class:`ReplayEngine` implements ``EngineControl``, so the live screen runs on it unchanged, and it gives a
report what the live engine gives (``snapshot``, ``events``): for the same records, the same ``StatsBook``
and ``Timeline`` calls in the same order with the same times, hence the same hops, counts, RTTs and events.

Paced for the screen, the records are applied lazily: each ``snapshot`` applies those whose time has come
on a replay clock (the trace's time at ``speed`` times real time, stopped while paused). Stepping goes to
the start of the next or previous round; back means rebuilding from the first record, which takes
milliseconds for an hour of probes.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace

from tuitrace.config import Mode, Protocol, Setting, TraceConfig
from tuitrace.engine.engine import EVENT_LIMIT
from tuitrace.probe.rounds import NS
from tuitrace.replay.format import Applied, Batch, Ending, PathMark, Record
from tuitrace.replay.reader import Recording
from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.stats.snapshot import RunState, TraceSnapshot
from tuitrace.stats.trace import RunHead, RunProgress, StatsBook, run_state
from tuitrace.timeline.detector import Timeline
from tuitrace.timeline.events import Clock, Event
from tuitrace.timeline.recording import Command, Counts, Progress

SPEEDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
READ_ONLY = "a replay shows what was recorded: settings cannot change (the recording's keys are replayed)"


class ReplayEngine:
    """Implements ``EngineControl`` over a :class:`~tuitrace.replay.reader.Recording`."""

    def __init__(self, recording: Recording, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.recording = recording
        self.error: BaseException | None = None
        self._monotonic = monotonic
        self._records = recording.records
        self._round_starts = _round_starts(self._records)
        self.speed = 1.0
        self._paused = False
        self._anchor_wall = monotonic()
        self._anchor_ns = 0
        self._messages: list[str] = []
        self._rebuild()

    # -- applying records -----------------------------------------------------------------------------
    def _rebuild(self) -> None:
        """Back to the start of the recording."""
        header = self.recording.header
        self._config: TraceConfig = header.config
        self._book = StatsBook()
        self._book.get(self._config.setting, 0)
        self._timeline = Timeline(self._config.setting, self._config.wait, 0, header.started_epoch_s)
        self._events: deque[Event] = deque(maxlen=EVENT_LIMIT)
        self._progress = Progress(self._config.setting, 0, None, False, self._config.first_ttl)
        self._counts = Counts(0, 0)
        self._ending: Ending | None = None
        self._recorded_pause = False
        self._applied = 0
        self._at_ns = 0
        self._finished = False

    def _apply_until(self, count: int) -> None:
        """Apply records until ``count`` of them are applied; at the last one, close what is still open."""
        records = self._records
        while self._applied < min(count, len(records)):
            record = records[self._applied]
            self._applied += 1
            self._apply(record)
            self._at_ns = record.at_ns
        if self._applied >= len(records) and not self._finished:
            self._finished = True
            self._timeline.finish()
            self._publish()

    def _apply(self, record: Record) -> None:
        if isinstance(record, Batch):
            self._batch(record)
        elif isinstance(record, PathMark):
            self._progress, self._counts = record.progress, record.counts
        elif isinstance(record, Applied):
            self._command(record)
        else:
            self._ending = record

    def _batch(self, batch: Batch) -> None:
        """What the live engine's ``_collect`` does with one batch, in the same order."""
        book, now, results = self._book, batch.at_ns, batch.results
        done = 0
        for position, setting, ttl in batch.trims:
            for result in results[done:position]:
                book.add(result, now)
            book.trim(setting, ttl, now)
            done = position
        for result in results[done:]:
            book.add(result, now)
        for result in results:
            self._timeline.observe(result, now)
        self._publish()

    def _command(self, applied: Applied) -> None:
        now, value = applied.at_ns, applied.value
        command = applied.command
        if command is Command.PROTOCOL and isinstance(value, Setting):
            self._book.get(value, now)
            self._config = replace(self._config, setting=value)
        elif command is Command.SENDWAIT and isinstance(value, float):
            self._config = replace(self._config, sendwait=value)
        elif command is Command.INTERVAL and isinstance(value, float):
            self._config = replace(self._config, interval=value)
        elif command is Command.NOTE and isinstance(value, tuple):
            text, setting = value
            self._timeline.setting_changed(text, now, setting)
            self._publish()
        elif command is Command.PAUSE:
            self._recorded_pause = True
        elif command is Command.RESUME:
            self._recorded_pause = False
        elif command is Command.RESET:
            self._book.reset(self._config.setting, now)
            self._timeline.forget()

    def _publish(self) -> None:
        self._events.extend(self._timeline.take_events())

    # -- the whole recording (reports) ----------------------------------------------------------------
    def run_to_end(self) -> None:
        self._apply_until(len(self._records))

    # -- pacing (the screen) --------------------------------------------------------------------------
    def _clock_ns(self) -> int:
        if self._paused:
            return self._anchor_ns
        return self._anchor_ns + int((self._monotonic() - self._anchor_wall) * self.speed * NS)

    def _catch_up(self) -> None:
        if self._finished:
            return
        target = self._clock_ns()
        records, count = self._records, self._applied
        while count < len(records) and records[count].at_ns <= target:
            count += 1
        self._apply_until(count)

    def _anchor(self, at_ns: int) -> None:
        self._anchor_ns, self._anchor_wall = at_ns, self._monotonic()

    @property
    def position(self) -> tuple[float, float]:
        """Seconds into the recording shown now, and its length in seconds."""
        total = self._records[-1].at_ns if self._records else 0
        return min(self._clock_ns(), total) / NS, total / NS

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def at_end(self) -> bool:
        return self._finished

    def change_speed(self, direction: int) -> float:
        """Twice as fast (1) or half as fast (-1), within ``SPEEDS``; the new speed."""
        self._anchor(self._clock_ns())
        index = SPEEDS.index(self.speed) if self.speed in SPEEDS else SPEEDS.index(1.0)
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, index + direction))]
        return self.speed

    def step(self, direction: int) -> None:
        """Pause, and show the start of the next (1) or previous (-1) round."""
        self._catch_up()
        self._paused = True
        applied = self._applied
        if direction > 0:
            later = [start + 1 for start in self._round_starts if start + 1 > applied]
            target = later[0] if later else len(self._records)
        else:
            earlier = [start + 1 for start in self._round_starts if start + 1 < applied]
            target = earlier[-1] if earlier else 0
        if target < applied:
            self._rebuild()
        self._apply_until(target)
        self._anchor(self._at_ns)

    # -- EngineControl --------------------------------------------------------------------------------
    def start(self) -> None:
        self._anchor(self._anchor_ns)

    def stop(self) -> None:
        self._paused = True

    def pause(self) -> None:
        self._anchor(self._clock_ns())
        self._paused = True

    def resume(self) -> None:
        self._anchor(self._anchor_ns)
        self._paused = False

    def set_protocol(self, protocol: Protocol, port: int | None) -> None:
        self._messages.append(READ_ONLY)

    def set_sendwait(self, seconds: float) -> None:
        self._messages.append(READ_ONLY)

    def set_interval(self, seconds: float) -> None:
        self._messages.append(READ_ONLY)

    def reset(self) -> None:
        self._messages.append(READ_ONLY)

    def flows(self) -> FlowsSnapshot | None:
        """A recording holds no flow statistics (the command line refuses --record with --flows)."""
        return None

    def take_messages(self) -> list[str]:
        messages, self._messages = self._messages, []
        return messages

    def events(self) -> list[Event]:
        self._catch_up()
        return list(self._events)

    @property
    def clock(self) -> Clock:
        return self._timeline.clock

    def snapshot(self) -> TraceSnapshot:
        self._catch_up()
        config, ending = self._config, self._ending
        progress, counts = self._progress, self._counts
        if ending is not None and self._finished:
            progress, counts = ending.progress, ending.counts
            state, elapsed = RunState(ending.state), ending.elapsed
        else:
            now = min(self._clock_ns(), self._records[-1].at_ns) if self._records else 0
            state = run_state(finished=self._finished, paused=self._paused or self._recorded_pause)
            started = self._book.get(progress.setting, self._at_ns).started_ns
            elapsed = (max(now, self._at_ns) - started) / NS
        try:
            mode = Mode(self.recording.header.mode)
        except ValueError:
            mode = Mode.SIMULATED
        shown = range(config.first_ttl, progress.last_shown + 1)
        run = RunProgress(state=state, rounds=progress.rounds, reached=progress.reached,
                          path_length=progress.end, probes_sent=counts.sent, dropped=counts.dropped,
                          elapsed=elapsed)
        return self._book.snapshot(RunHead.of(config, mode), progress.setting, self._at_ns, shown, run)


def _round_starts(records: tuple[Record, ...]) -> list[int]:
    """Indexes of the path summaries where a new round began."""
    starts: list[int] = []
    rounds = -1
    for index, record in enumerate(records):
        if isinstance(record, PathMark) and record.progress.rounds != rounds:
            rounds = record.progress.rounds
            starts.append(index)
    return starts
