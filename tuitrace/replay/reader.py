"""Reads a recording: the header, then records up to the end of the file or the first damaged line.

A recording cut short (the disk filled up, the machine lost power, a copy was interrupted) or damaged in the
middle is still evidence: everything before the damage replays, and :attr:`Recording.damage` says where and
why it stopped, in one line. Only a file that is not a recording at all, or one from a newer format, is
refused (:class:`~tuitrace.replay.format.RecordingError`). Gzip is recognised by its magic bytes, whatever
the file is called.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO

from tuitrace import defaults
from tuitrace.config import Setting
from tuitrace.enrich.inert import inert_text
from tuitrace.replay.format import (
    MAX_RUN_NS,
    MAX_TEXT,
    SENDWAIT_SECONDS,
    Applied,
    Batch,
    DamagedRecordError,
    Ending,
    Header,
    PathMark,
    Record,
    RecordingError,
    decode_header,
    decode_progress,
    decode_result,
    parse_setting,
    setting_at,
)
from tuitrace.stats.snapshot import RunState
from tuitrace.timeline.recording import Command

GZIP_MAGIC = b"\x1f\x8b"
RUN_STATES = frozenset(state.value for state in RunState)
MAX_LINE = 1 << 20
"""A longer line is damage (a record is a few hundred bytes at most): reading stays bounded."""


@dataclass(frozen=True, slots=True)
class Recording:
    name: str
    header: Header
    records: tuple[Record, ...]
    damage: str | None = None
    """Where and why reading stopped early (one line), or ``None`` when the whole file was read."""

    @property
    def complete(self) -> bool:
        """The whole file was read and it ended with its end record (the run was closed properly)."""
        return self.damage is None


def _open(source: Path | Traversable) -> IO[bytes]:
    raw = source.open("rb")
    start = raw.read(2)
    raw.seek(0)
    if start == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    while True:
        line = stream.readline(MAX_LINE)
        if not line:
            return
        yield line


def read_recording(source: Path | Traversable, name: str | None = None) -> Recording:
    """The recording in ``source``; :class:`RecordingError` when it is not one this tuitrace reads."""
    label = name or str(source)
    try:
        stream = _open(source)
    except OSError as exc:
        raise RecordingError(f"cannot read {label}: {exc.strerror or exc}") from None
    with stream:
        lines = _lines(stream)
        try:
            first = next(lines, b"")
            header = decode_header(json.loads(first))
        except (ValueError, EOFError, OSError, zlib.error):
            raise RecordingError(f"{label} is not a tuitrace recording (its first line is not a "
                                 "recording header)") from None
        except RecordingError as exc:
            raise RecordingError(f"{label}: {exc}") from None
        records: list[Record] = []
        decoder = _Decoder()
        number = 1
        try:
            for number, line in enumerate(lines, start=2):  # noqa: B007 (the number says where it stopped)
                if not line.endswith(b"\n"):
                    raise DamagedRecordError("the line is cut short")
                record = decoder.decode(json.loads(line))
                if record is not None:
                    records.append(record)
        except (DamagedRecordError, ValueError, EOFError, OSError, zlib.error) as exc:
            reason = str(exc) if isinstance(exc, DamagedRecordError) else _plain(exc)
            damage = f"line {number}: {reason}"
            return Recording(label, header, tuple(records), damage)
    if not records or not isinstance(records[-1], Ending):
        return Recording(label, header, tuple(records), f"line {number + 1}: the file ends before the run's "
                         "end record (the run was killed, or the copy cut short)")
    return Recording(label, header, tuple(records))


def _plain(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "the compressed file is cut short"
    if isinstance(exc, UnicodeDecodeError):
        return "not text"
    if isinstance(exc, json.JSONDecodeError):
        return "not a JSON record"
    return str(exc) or type(exc).__name__


class _Decoder:
    """Turns decoded JSON arrays into records, keeping the settings table and the running time."""

    def __init__(self) -> None:
        self.settings: list[Setting] = []
        self.at_ns = 0

    def decode(self, fields: object) -> Record | None:
        if not isinstance(fields, list) or len(fields) < 2 or not isinstance(fields[1], int) or fields[1] < 0:
            raise DamagedRecordError("not a record")
        kind, delta, rest = fields[0], fields[1], fields[2:]
        self.at_ns += delta
        if self.at_ns > MAX_RUN_NS:
            raise DamagedRecordError("the times add up to more than 31 years")
        at = self.at_ns
        if kind == "s":
            if len(rest) != 2 or rest[0] != len(self.settings):
                raise DamagedRecordError("a setting is declared out of order")
            self.settings.append(parse_setting(rest[1]))
            return None
        if kind == "r":
            return self._batch(at, rest)
        if kind == "p":
            progress, counts = decode_progress(rest, self.settings)
            return PathMark(at, progress, counts)
        if kind == "c":
            return self._applied(at, rest)
        if kind == "e":
            if len(rest) != 9 or not isinstance(rest[0], str) or rest[0] not in RUN_STATES \
                    or isinstance(rest[1], bool) or not isinstance(rest[1], int | float) \
                    or not 0 <= rest[1] <= MAX_RUN_NS / 1e9:
                raise DamagedRecordError("the end record is damaged")
            progress, counts = decode_progress(rest[2:], self.settings)
            return Ending(at, rest[0], float(rest[1]), progress, counts)
        return None  # a record kind from a later minor change: skipped

    def _batch(self, at: int, rest: list[object]) -> Batch:
        if not 1 <= len(rest) <= 2 or not isinstance(rest[0], list):
            raise DamagedRecordError("a result batch is damaged")
        results = tuple(decode_result(item, self.settings) for item in rest[0])
        trims: list[tuple[int, Setting, int]] = []
        for trim in rest[1] if len(rest) == 2 and isinstance(rest[1], list) else ():
            if not isinstance(trim, list) or len(trim) != 3 or not all(isinstance(v, int) for v in trim):
                raise DamagedRecordError("a trim is damaged")
            trims.append((trim[0], setting_at(self.settings, trim[1]), trim[2]))
        return Batch(at, results, tuple(trims))

    def _applied(self, at: int, rest: list[object]) -> Applied:
        try:
            command = Command(rest[0]) if rest and isinstance(rest[0], str) else None
        except ValueError:
            command = None
        if command is None:
            raise DamagedRecordError("unknown command")
        value = rest[1] if len(rest) > 1 else None
        if command is Command.PROTOCOL:
            return Applied(at, command, setting_at(self.settings, value))
        if command in (Command.SENDWAIT, Command.INTERVAL):
            bound = SENDWAIT_SECONDS if command is Command.SENDWAIT else defaults.INTERVAL
            try:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(value)
                return Applied(at, command, bound.check(float(value)))
            except ValueError:
                raise DamagedRecordError(f"{command.value} is not a number of seconds inside "
                                         f"{bound.range_text}") from None
        if command is Command.NOTE:
            if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str):
                raise DamagedRecordError("a setting note is damaged")
            setting = None if value[1] is None else setting_at(self.settings, value[1])
            return Applied(at, command, (inert_text(value[0], MAX_TEXT), setting))
        return Applied(at, command)
