"""``--stream``: one JSON object per line as the trace goes, for cron, ``nohup`` and ``jq``.

A long run must not wait for its end to say anything, and a script must not parse a table: a
``"type": "start"`` line first says what is traced and how (target, protocol, timing, a format
``version``); each completed round is a ``"type": "round"`` line with the hops of that round; each event a
``"type": "event"`` line with the event's fields (the same as in the JSON report's ``events``); a refused
command on standard input a ``"type": "error"`` line. Each line is flushed when written.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Clock, Event
from tuitrace.timeline.rounds import RoundRecord

Write = Callable[[str], object]


def round_line(record: RoundRecord, clock: Clock) -> str:
    time, since = clock.times(record.started_ns)
    fields: dict[str, Any] = {
        "type": "round",
        "round": record.round,
        "time": time,
        "t_s": since,
        "protocol": record.setting.protocol.value,
        "port": record.setting.port,
        "hops": [
            {"ttl": hop.ttl, "outcome": hop.outcome.value, "address": hop.address, "rtt_ms": hop.rtt_ms,
             "annotation": hop.annotation}
            for hop in record.hops
        ],
    }
    return json.dumps(fields, separators=(",", ":")) + "\n"


STREAM_VERSION = 1
"""The ``start`` line's ``version``: raised when a line type changes in a way old readers would misread."""


def start_line(snapshot: TraceSnapshot) -> str:
    """The first line: what is traced and how, so a reader (a remote vantage point's) needs nothing else."""
    fields: dict[str, Any] = {
        "type": "start", "version": STREAM_VERSION, "host": snapshot.host, "target": snapshot.target,
        "family": snapshot.family, "protocol": snapshot.setting.protocol.value, "port": snapshot.setting.port,
        "mode": snapshot.mode.value, "interval": snapshot.interval, "sendwait": snapshot.sendwait,
        "wait": snapshot.wait, "max_ttl": snapshot.max_ttl,
    }
    return json.dumps(fields, separators=(",", ":")) + "\n"


def error_line(message: str) -> str:
    """A command on standard input that was refused (see :mod:`tuitrace.engine.commands`)."""
    return json.dumps({"type": "error", "message": message}, separators=(",", ":")) + "\n"


def event_line(event: Event) -> str:
    return json.dumps({"type": "event", **dataclasses.asdict(event)}, separators=(",", ":")) + "\n"


class StreamWriter:
    """Listens to an engine's rounds and events and writes them as lines (``write`` flushes)."""

    def __init__(self, clock: Clock, write: Write) -> None:
        self._clock = clock
        self._write = write

    def on_round(self, record: RoundRecord) -> None:
        self._write(round_line(record, self._clock))

    def on_event(self, event: Event) -> None:
        self._write(event_line(event))
