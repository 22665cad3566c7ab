"""The event record: what happened, when, where, in one sentence.

An ``Event`` is a value the reports print as is and a script reads with ``jq``: its time is both an absolute
ISO 8601 UTC instant (for the ticket) and seconds since the trace started (for comparing two runs).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime


class EventKind(enum.StrEnum):
    PATH_CHANGE = "path_change"
    RESPONDER_NEW = "responder_new"
    RESPONDER_GONE = "responder_gone"
    LOSS_BURST = "loss_burst"
    UNREACHABLE = "unreachable"
    REACHED = "reached"
    LOST = "lost"
    RTT_SHIFT = "rtt_shift"
    SETTING = "setting"


@dataclass(frozen=True, slots=True)
class Event:
    time: str
    """ISO 8601, UTC, milliseconds: ``2026-12-01T01:02:03.456Z``."""
    t_s: float
    """Seconds since the trace started (3 decimals)."""
    kind: EventKind
    ttl: int | None
    address: str | None
    duration_s: float | None
    text: str
    """One sentence."""


def iso_time(epoch_s: float) -> str:
    """``epoch_s`` as ISO 8601 UTC with milliseconds and a ``Z``."""
    stamp = datetime.fromtimestamp(epoch_s, tz=UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


class Clock:
    """Turns the trace's monotonic nanoseconds into the two times an event carries."""

    __slots__ = ("_started_epoch_s", "_started_ns")

    def __init__(self, started_ns: int, started_epoch_s: float) -> None:
        self._started_ns = started_ns
        self._started_epoch_s = started_epoch_s

    @property
    def started_ns(self) -> int:
        """The start on the trace's monotonic clock."""
        return self._started_ns

    @property
    def started_epoch_s(self) -> float:
        """The start as a Unix time (seconds)."""
        return self._started_epoch_s

    def times(self, at_ns: int) -> tuple[str, float]:
        """``at_ns`` as an ISO 8601 UTC time and as seconds since the start (3 decimals)."""
        since = max(0.0, (at_ns - self._started_ns) / 1e9)
        return iso_time(self._started_epoch_s + since), round(since, 3)

    def event(
        self,
        at_ns: int,
        kind: EventKind,
        text: str,
        *,
        ttl: int | None = None,
        address: str | None = None,
        duration_s: float | None = None,
    ) -> Event:
        time, since = self.times(at_ns)
        return Event(
            time=time,
            t_s=since,
            kind=kind,
            ttl=ttl,
            address=address,
            duration_s=None if duration_s is None else round(max(0.0, duration_s), 3),
            text=text,
        )
