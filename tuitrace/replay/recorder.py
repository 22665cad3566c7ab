"""``--record FILE``: writes the run as it goes, in the format of :mod:`.format`.

It hears the engine (a :class:`~tuitrace.timeline.recording.RunRecorder`, called in the engine thread with
the engine's lock held) and writes each record at once into a buffered file, flushed at least once a second
and when a stop signal arrives (:func:`tuitrace.lifecycle.flush_at_finish`), so a crash loses at most the
last second and a stopped run nothing. Memory stays constant: nothing is kept but the settings table.
A name ending in ``.gz`` is written gzip-compressed (flushes are gzip sync flushes, so what was flushed
can be read back even if the process dies).
"""

from __future__ import annotations

import gzip
import io
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from tuitrace import __version__
from tuitrace.config import Setting, TraceConfig
from tuitrace.probe.types import ProbeResult
from tuitrace.replay.format import Header, encode_progress, result_json, setting_text
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Clock, iso_time
from tuitrace.timeline.recording import Command, Counts, Progress, Trim

FLUSH_SECONDS = 1.0
"""At most this much of the run is lost if the process is killed outright (SIGKILL, a crash)."""

GZIP_LEVEL = 1
"""The fastest level: the records are so alike that it already packs a probe into under 10 bytes, and the
recorder runs in the engine thread, where CPU spent compressing is CPU not spent probing."""

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def open_for_writing(path: Path) -> IO[str]:
    """The file, gzip-compressed when its name ends in ``.gz``."""
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.GzipFile(path, "wb", compresslevel=GZIP_LEVEL), encoding="utf-8")
    return path.open("w", encoding="utf-8")


class Recorder:
    """Writes one run; ``close`` (with the final snapshot) ends the file."""

    def __init__(self, out: IO[str], config: TraceConfig, clock: Clock, mode: str, command_line: str, *,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._origin = self._last = clock.started_ns
        self._settings: dict[Setting, int] = {}
        self._last_setting: tuple[Setting | None, int] = (None, 0)
        """The setting of the latest result and its index: hashing a setting costs more than this check."""
        self._pending: deque[str] = deque()
        """Lines not yet handed to the file: appended by the engine thread without a lock (a deque's append
        and popleft are atomic), written in one go at most a second later or by ``flush``."""
        self._monotonic = monotonic
        self._flushed = monotonic()
        self._closed = False
        header = Header(config, clock.started_epoch_s, mode, command_line)
        self._write(_dumps(header.encode(__version__, iso_time(clock.started_epoch_s))))
        self.flush()

    # -- RunRecorder ----------------------------------------------------------------------------------
    def results(self, now_ns: int, results: Sequence[ProbeResult], trims: Sequence[Trim]) -> None:
        index = self._index
        if len(results) == 1:  # the usual batch: one reply, one result
            items = result_json(results[0], index(results[0].setting))
        else:
            items = ",".join([result_json(result, index(result.setting)) for result in results])
        delta = now_ns - self._last
        delta = max(delta, 0)
        self._last += delta
        if trims:
            listed = _dumps([[position, index(setting), ttl] for position, setting, ttl in trims])
            self._write(f'["r",{delta},[{items}],{listed}]')
        else:
            self._write(f'["r",{delta},[{items}]]')

    def progress(self, now_ns: int, progress: Progress, counts: Counts) -> None:
        index = self._index(progress.setting)
        _, rounds, end, reached, last_shown = progress
        ended = "null" if end is None else int(end)
        self._write(f'["p",{self._delta(now_ns)},{index},{int(rounds)},{ended},{int(reached)},'
                    f'{int(last_shown)},{int(counts.sent)},{int(counts.dropped)}]')

    def command(self, now_ns: int, command: Command, value: object = None) -> None:
        record: list[object] = ["c", 0, command.value]
        if isinstance(value, Setting):
            record.append(self._index(value))
        elif isinstance(value, tuple):  # a note: (text, setting or None)
            text, setting = value
            record.append([text, None if setting is None else self._index(setting)])
        elif value is not None:
            record.append(value)
        record[1] = self._delta(now_ns)
        self._write(_dumps(record))

    # -- the end --------------------------------------------------------------------------------------
    def close(self, snapshot: TraceSnapshot | None = None, now_ns: int | None = None) -> None:
        """Write the end record from the run's final snapshot (taken at ``now_ns``) and close the file."""
        if self._closed:
            return
        if snapshot is not None:
            progress = Progress(snapshot.setting, snapshot.rounds, snapshot.path_length, snapshot.reached,
                                snapshot.hops[-1].ttl if snapshot.hops else 0)
            fields = encode_progress(progress, Counts(snapshot.probes_sent, snapshot.dropped),
                                     self._index(snapshot.setting))
            delta = self._delta(self._last if now_ns is None else now_ns)
            self._write(_dumps(["e", delta, snapshot.state.value, snapshot.elapsed, *fields]))
        with self._lock:
            self._drain()
            self._closed = True
            self._out.close()

    def flush(self) -> None:
        """Put everything written so far in the file (thread-safe; also called when a stop signal came)."""
        with self._lock:
            if not self._closed:
                self._drain()
                self._out.flush()
                self._flushed = self._monotonic()

    # -- writing --------------------------------------------------------------------------------------
    def _delta(self, now_ns: int) -> int:
        delta = max(0, now_ns - self._last)
        self._last += delta
        return delta

    def _index(self, setting: Setting) -> int:
        last, index = self._last_setting
        if setting is last:
            return index
        known = self._settings.get(setting)
        if known is None:
            known = self._settings[setting] = len(self._settings)
            self._write(_dumps(["s", 0, known, setting_text(setting)]))
        self._last_setting = (setting, known)
        return known

    def _write(self, line: str) -> None:
        self._pending.append(line)
        if self._monotonic() - self._flushed >= FLUSH_SECONDS:
            self.flush()

    def _drain(self) -> None:
        """Hand the pending lines to the file (the lock is held)."""
        pending = self._pending
        lines = [pending.popleft() for _ in range(len(pending))]
        if lines:
            self._out.write("\n".join(lines) + "\n")
