"""Statistics of a whole trace, kept per (protocol, port) setting so that switching back shows them again.

Three engines keep a ``StatsBook``: the live one, the replay of a recording and the trace a remote vantage
point streams. Each knows its run in its own way (a ``TraceConfig``, a recording's header, a ``start``
line), but the snapshot they hand out is built here, once: which hops it shows, how long the setting ran,
which settings have statistics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tuitrace.config import Mode, Setting, TraceConfig
from tuitrace.probe.rounds import NS
from tuitrace.probe.types import ProbeResult
from tuitrace.stats.hop import HopStats
from tuitrace.stats.snapshot import HopSnapshot, RunState, TraceSnapshot, TtlCheck


@dataclass(frozen=True, slots=True)
class RunHead:
    """What a snapshot says about the run rather than its statistics."""

    host: str
    target: str
    family: int
    mode: Mode
    interval: float
    sendwait: float
    wait: float
    max_ttl: int

    @staticmethod
    def of(config: TraceConfig, mode: Mode) -> RunHead:
        return RunHead(config.host or config.target, config.target, config.family, mode, config.interval,
                       config.sendwait, config.wait, config.max_ttl)


@dataclass(frozen=True, slots=True)
class RunProgress:
    """Where the run of one setting stands: what its path looks like so far and what was counted."""

    state: RunState
    rounds: int
    reached: bool
    path_length: int | None
    probes_sent: int | None
    """``None``: the probes the shown hops count (a remote trace knows no other count)."""
    dropped: int
    elapsed: float | None = None
    """Seconds the setting ran; ``None``: since its statistics started, up to the book's ``now_ns``."""
    ttl_check: TtlCheck | None = None
    link: str | None = None
    """A remote trace that is not connected now: what happened (see ``TraceSnapshot.link``)."""


def run_state(*, finished: bool, paused: bool) -> RunState:
    return RunState.FINISHED if finished else RunState.PAUSED if paused else RunState.RUNNING


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

    def snapshot(self, head: RunHead, setting: Setting, now_ns: int, shown: range,
                 progress: RunProgress) -> TraceSnapshot:
        """The statistics of ``setting`` at ``now_ns``, the TTLs in ``shown`` (silent ones included)."""
        trace = self.get(setting, now_ns)
        hops = trace.hop_snapshots(shown.start, shown.stop - 1) if shown else ()
        elapsed = (now_ns - trace.started_ns) / NS if progress.elapsed is None else progress.elapsed
        sent = progress.probes_sent
        return TraceSnapshot(
            host=head.host, target=head.target, family=head.family, setting=setting, mode=head.mode,
            interval=head.interval, sendwait=head.sendwait, wait=head.wait, max_ttl=head.max_ttl,
            state=progress.state, rounds=progress.rounds, elapsed=max(0.0, elapsed), reached=progress.reached,
            path_length=progress.path_length, hops=hops,
            probes_sent=sum(hop.sent for hop in hops) if sent is None else sent, dropped=progress.dropped,
            settings=self.settings, ttl_check=progress.ttl_check, link=progress.link,
        )
