"""Statistics of a whole trace, kept per (protocol, port) setting so that switching back shows them again."""

from __future__ import annotations

from dataclasses import dataclass, field

from tuitrace.config import Setting
from tuitrace.probe.types import ProbeResult
from tuitrace.stats.hop import HopStats
from tuitrace.stats.snapshot import HopSnapshot


@dataclass(slots=True)
class TraceStats:
    setting: Setting
    started_ns: int
    hops: dict[int, HopStats] = field(default_factory=dict)

    def add(self, result: ProbeResult) -> None:
        hop = self.hops.get(result.ttl)
        if hop is None:
            hop = self.hops[result.ttl] = HopStats(result.ttl)
        hop.add(result)

    def trim(self, last_ttl: int) -> None:
        """Forget the rows beyond ``last_ttl``: the path ends there, what they hold was no hop."""
        for ttl in [ttl for ttl in self.hops if ttl > last_ttl]:
            del self.hops[ttl]

    def hop_snapshots(self, first_ttl: int, last_ttl: int) -> tuple[HopSnapshot, ...]:
        """Every TTL from first to last, silent and not-yet-probed ones included."""
        return tuple(
            (self.hops[ttl].snapshot() if ttl in self.hops else HopStats(ttl).snapshot())
            for ttl in range(first_ttl, last_ttl + 1)
        )


class StatsBook:
    """The statistics of every setting used in a session, in the order first used."""

    def __init__(self) -> None:
        self._traces: dict[Setting, TraceStats] = {}
        self._last: TraceStats | None = None
        """The trace of the latest ``add``: results come in runs of one setting, and hashing a setting
        (a dataclass, hashed in Python) for every probe costs more than this check."""

    def get(self, setting: Setting, now_ns: int) -> TraceStats:
        trace = self._traces.get(setting)
        if trace is None:
            trace = self._traces[setting] = TraceStats(setting, now_ns)
        return trace

    def add(self, result: ProbeResult, now_ns: int) -> None:
        trace = self._last
        if trace is None or trace.setting is not result.setting:
            trace = self._last = self.get(result.setting, now_ns)
        trace.add(result)

    def trim(self, setting: Setting, last_ttl: int, now_ns: int) -> None:
        self.get(setting, now_ns).trim(last_ttl)

    def reset(self, setting: Setting, now_ns: int) -> None:
        self._traces[setting] = TraceStats(setting, now_ns)
        self._last = None

    @property
    def settings(self) -> tuple[Setting, ...]:
        return tuple(self._traces)
