"""An Atlas probe's traceroutes behind the engine seam, so tabs, overview, reports and findings take them
as they take a trace from here or over ssh.

The rounds were measured by RIPE Atlas, not here: they go once into the same
:class:`~tuitrace.stats.trace.StatsBook` a live trace fills, and nothing re-probes. The keys that change
how probes are sent cannot change a finished measurement; they say so once per run (one shared
:class:`KeyNotice`) and act on the other traces. For ``--atlas-create`` an engine starts empty (a slot,
showing the measurement's progress) and is filled when its probe's result arrives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tuitrace.config import Mode, Protocol, Setting
from tuitrace.probe.rounds import NS
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.report.model import Lookup
from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.stats.snapshot import RunState, TraceSnapshot
from tuitrace.stats.trace import RunHead, RunProgress, StatsBook
from tuitrace.timeline.events import Event
from tuitrace.vantage.atlas_compare import shared_hops, shared_note
from tuitrace.vantage.atlas_results import AtlasTrace, ProbeInfo

ATLAS_MAX_TTL = 32
"""Atlas traceroutes stop at 32 hops unless the measurement asked for more."""
KEY_NOTICE = "RIPE Atlas traces are finished measurements: keys change only the traces run from here"


class KeyNotice:
    """Says once per run that keys do not change Atlas traces (not once per Atlas probe)."""

    def __init__(self) -> None:
        self._said = False
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            said, self._said = self._said, True
        return not said


class AtlasEngine:
    """Implements ``EngineControl`` for one Atlas probe's rounds toward one target."""

    def __init__(self, host: str, *, notice: KeyNotice | None = None, waiting: str = "waiting") -> None:
        self.error: BaseException | None = None
        self.slot = True
        """Made empty for ``--atlas-create`` (its tab is named before its probe is known)."""
        self._host = host
        self._notice = notice or KeyNotice()
        self._lock = threading.Lock()
        self._trace: AtlasTrace | None = None
        self._probe: ProbeInfo | None = None
        self._book = StatsBook()
        self._messages: list[str] = []
        self._waiting = waiting
        self._done = threading.Event()
        self._end: int | None = None
        self._reached = False
        self._listeners: list[Callable[[ProbeResult], None]] = []
        self._on_start: Callable[[], None] | None = None
        self._on_stop: Callable[[], None] | None = None

    @classmethod
    def of(cls, trace: AtlasTrace, probe: ProbeInfo | None, notice: KeyNotice | None = None) -> AtlasEngine:
        engine = cls(trace.target_name, notice=notice)
        engine.slot = False
        engine.load(trace, probe)
        return engine

    # -- filling ------------------------------------------------------------------------------------------
    def load(self, trace: AtlasTrace, probe: ProbeInfo | None) -> None:
        """Takes every round of ``trace`` (once: an engine shows one probe)."""
        book = StatsBook()
        end: int | None = None
        reached = False
        for number, results in enumerate(trace.rounds):
            now = _ns(trace.times[number])
            for result in results:
                book.add(result, now)
                if result.final:
                    end = result.ttl if end is None else min(end, result.ttl)
            arrived = [r for r in results if r.ttl == end] if end is not None else []
            if arrived:  # the last round that reached the end says whether the destination answers now
                reached = any(r.outcome is Outcome.REACHED for r in arrived)
        if end is not None:
            book.trim(trace.setting, end, _ns(trace.ended))
        with self._lock:
            if self._trace is not None:
                return
            self._trace, self._probe, self._book = trace, probe, book
            self._end, self._reached = end, reached
            if trace.errors and not any(trace.rounds):
                self.error = RuntimeError(f"the Atlas probe could not trace: {trace.errors[0]}")
            listeners = list(self._listeners)
            self._done.set()
        for listener in listeners:
            _tell(listener, trace)

    def add_listener(self, listener: Callable[[ProbeResult], None]) -> None:
        """Called with every probe result, as the local engine's listeners are (lookups ask here)."""
        with self._lock:
            self._listeners.append(listener)
            trace = self._trace
        if trace is not None:
            _tell(listener, trace)

    def waiting(self, text: str) -> None:
        """What an empty slot shows while the measurement runs."""
        with self._lock:
            self._waiting = text

    def give_up(self, reason: str) -> None:
        """The measurement ended (or failed) without a result for this slot."""
        with self._lock:
            if self._trace is None:
                self.error = RuntimeError(reason)
        self._done.set()

    @property
    def trace(self) -> AtlasTrace | None:
        return self._trace

    @property
    def probe(self) -> ProbeInfo | None:
        return self._probe

    @property
    def vantage(self) -> str:
        trace = self._trace
        return "atlas" if trace is None else f"atlas:{trace.probe_id}"

    def on_start(self, start: Callable[[], None], stop: Callable[[], None]) -> None:
        """What starts and stops the poller that fills this slot (shared by every slot: idempotent)."""
        self._on_start, self._on_stop = start, stop

    # -- EngineControl --------------------------------------------------------------------------------
    def start(self) -> None:
        """Nothing probes here: the rounds are loaded, or the poller that fills the slot starts."""
        if self._on_start is not None:
            self._on_start()

    def stop(self) -> None:
        if self._on_stop is not None:
            self._on_stop()
        self._done.set()

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def _keys(self) -> None:
        if self._notice.take():
            with self._lock:
                self._messages.append(KEY_NOTICE)

    def set_protocol(self, protocol: Protocol, port: int | None) -> None:
        self._keys()

    def set_sendwait(self, seconds: float) -> None:
        self._keys()

    def set_interval(self, seconds: float) -> None:
        self._keys()

    def pause(self) -> None:
        """A finished measurement has nothing to pause."""

    def resume(self) -> None:
        """A finished measurement has nothing to resume."""

    def reset(self) -> None:
        self._keys()

    def take_messages(self) -> list[str]:
        with self._lock:
            messages, self._messages = self._messages, []
        return messages

    def events(self) -> list[Event]:
        return []

    def flows(self) -> FlowsSnapshot | None:
        return None

    def snapshot(self) -> TraceSnapshot:
        with self._lock:
            trace, probe = self._trace, self._probe
            if trace is None:
                return _empty(f"{self._host} from RIPE Atlas ({self._waiting})", self._host,
                              RunState.FINISHED if self._done.is_set() else RunState.RUNNING)
            now = _ns(trace.times[0] if trace.times else 0.0)
            stats = self._book.get(trace.setting, now)
            last = self._end if self._end is not None else max(stats.hops, default=0) + 1
            place = f" ({probe.place})" if probe is not None else " (? ?)"
            first = trace.times[0] if trace.times else trace.ended
            head = RunHead(host=f"{trace.target_name} from atlas:{trace.probe_id}{place}",
                           target=trace.target, family=trace.family, mode=Mode.RAW,
                           interval=_interval(trace), sendwait=0.0, wait=4.0,
                           max_ttl=max(ATLAS_MAX_TTL, last))
            progress = RunProgress(
                state=RunState.FINISHED,
                rounds=sum(1 for results in trace.rounds if results),  # a round that sent nothing: none
                reached=self._reached, path_length=self._end, probes_sent=None, dropped=trace.dropped,
                elapsed=trace.ended - first)
            shown = range(1, last + 1) if stats.hops else range(0)
            return self._book.snapshot(head, trace.setting, now, shown, progress)

    # -- what the reports add ---------------------------------------------------------------------------
    def compare_with_local(self, local: TraceSnapshot | None,
                           lookup: Lookup | None) -> tuple[str, dict[str, Any]]:
        """The overview's note and the report entry's extra fields: the probe, and the hops its path shares
        with the local trace (same address, or same AS when lookups are on)."""
        trace, probe = self._trace, self._probe
        if trace is None:
            return ("" if self.error is not None else self._waiting), {}
        shared = shared_hops(self.snapshot(), local, lookup) if local is not None else []
        details: dict[str, Any] = {
            "atlas": {
                "probe": trace.probe_id,
                "measurement": trace.measurement_id,
                "country": probe.country if probe is not None else None,
                "asn": probe.asn if probe is not None else None,
                "source": trace.source,
                "late": trace.late,
                "duplicates": trace.duplicates,
                "errors": list(trace.errors),
            },
        }
        if local is not None:
            details["shared_with_local"] = shared
        note = shared_note(shared, local is not None)
        if self.slot:  # the tab's name says "atlas #2": the overview names the probe that filled it
            place = probe.place if probe is not None else "? ?"
            note = f"atlas:{trace.probe_id} ({place})" + (f": {note}" if note else "")
        return note, details


def _tell(listener: Callable[[ProbeResult], None], trace: AtlasTrace) -> None:
    for results in trace.rounds:
        for result in results:
            listener(result)


def _interval(trace: AtlasTrace) -> float:
    if len(trace.times) < 2:
        return 0.0
    return max(0.0, (trace.times[-1] - trace.times[0]) / (len(trace.times) - 1))


def _ns(seconds: float) -> int:
    return round(seconds * NS)


def _empty(host: str, target: str, state: RunState) -> TraceSnapshot:
    return TraceSnapshot(
        host=host, target=target, family=4, setting=Setting(Protocol.ICMP, None), mode=Mode.RAW,
        interval=0.0, sendwait=0.0, wait=4.0, max_ttl=ATLAS_MAX_TTL, state=state, rounds=0, elapsed=0.0,
        reached=False, path_length=None, hops=(), probes_sent=0, dropped=0,
    )
