"""A deterministic engine for UI tests: records every command and invents statistics per setting.

The path it reports (per protocol/port):

    1. 10.0.1.1                   always answers
    2. 10.0.2.1 / 10.0.3.1        ECMP: even rounds one branch, odd rounds the other
    3. (silent)                   never answers
    4. 10.0.4.1                   loses every 4th probe; for TCP/389 it answers !X and the trace ends
    5. 10.0.9.2 (the target)      not reached with TCP/389

RTTs differ per protocol so switching settings visibly changes the numbers, and each setting keeps its own
round count, so switching back shows the earlier numbers again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tuitrace.config import Mode, Protocol, Setting
from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.stats.rtt import RttAccumulator
from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, RttSummary, RunState, TraceSnapshot
from tuitrace.timeline.events import Event

TARGET = "10.0.9.2"
FILTERED = Setting(Protocol.TCP, 389)
_OFFSET = {Protocol.ICMP: 0.0, Protocol.UDP: 0.3, Protocol.TCP: 0.6}


def summary(values: list[float]) -> RttSummary:
    """The statistics the real engine keeps for these RTTs (sample stdev, mtr's jitter), from its own code."""
    accumulator = RttAccumulator()
    for value in values:
        accumulator.add(value)
    return accumulator.summary()


@dataclass
class FakeEngine:
    host: str = "lab-dst"
    target: str = TARGET
    setting: Setting = field(default_factory=lambda: Setting(Protocol.ICMP, None))
    sendwait: float = 0.0
    interval: float = 1.0
    state: RunState = RunState.RUNNING
    commands: list[tuple[object, ...]] = field(default_factory=list)
    rounds: dict[Setting, int] = field(default_factory=dict)
    error: BaseException | None = None
    """Set by a test to play an engine whose thread died (the real engine sets ``error``)."""
    messages: list[str] = field(default_factory=list)
    """Messages the engine has for the user (a test puts them here)."""
    recorded_events: list[Event] = field(default_factory=list)
    """Events the engine has found (a test puts them here)."""
    flow_paths: FlowsSnapshot | None = None
    """What ``--flows`` found (a test puts it here); ``None``: a run without ``--flows``."""

    def __post_init__(self) -> None:
        self.rounds.setdefault(self.setting, 0)

    # -- test helpers -----------------------------------------------------------------------------

    def advance(self, rounds: int = 1) -> None:
        """Pretend ``rounds`` more rounds completed in the active setting."""
        self.rounds[self.setting] += rounds

    def protocol_commands(self) -> list[tuple[object, ...]]:
        return [c for c in self.commands if c[0] == "set_protocol"]

    # -- EngineControl ----------------------------------------------------------------------------

    def start(self) -> None:
        self.commands.append(("start",))

    def stop(self) -> None:
        self.commands.append(("stop",))

    def set_protocol(self, protocol: Protocol, port: int | None) -> None:
        self.commands.append(("set_protocol", protocol, port))
        self.setting = Setting(protocol, port)
        self.rounds.setdefault(self.setting, 0)

    def set_sendwait(self, seconds: float) -> None:
        self.commands.append(("set_sendwait", seconds))
        self.sendwait = seconds

    def set_interval(self, seconds: float) -> None:
        self.commands.append(("set_interval", seconds))
        self.interval = seconds

    def pause(self) -> None:
        self.commands.append(("pause",))
        self.state = RunState.PAUSED

    def resume(self) -> None:
        self.commands.append(("resume",))
        self.state = RunState.RUNNING

    def reset(self) -> None:
        self.commands.append(("reset",))
        self.rounds[self.setting] = 0

    def take_messages(self) -> list[str]:
        messages, self.messages = self.messages, []
        return messages

    def flows(self) -> FlowsSnapshot | None:
        return self.flow_paths

    def events(self) -> list[Event]:
        return list(self.recorded_events)

    def snapshot(self) -> TraceSnapshot:
        n = self.rounds[self.setting]
        filtered = self.setting == FILTERED
        last_ttl = 4 if filtered else 5
        hops = tuple(self._hop(ttl, n, filtered) for ttl in range(1, last_ttl + 1)) if n else ()
        return TraceSnapshot(
            host=self.host, target=self.target, family=4, setting=self.setting, mode=Mode.SIMULATED,
            interval=self.interval, sendwait=self.sendwait, wait=2.0, max_ttl=30, state=self.state,
            rounds=n, elapsed=n * self.interval, reached=bool(n) and not filtered,
            path_length=last_ttl if n else None, hops=hops, probes_sent=n * last_ttl, dropped=0,
            settings=tuple(self.rounds),
        )

    # -- the invented path ------------------------------------------------------------------------

    def _rtt(self, ttl: int, r: int) -> float:
        return round(ttl * 1.5 + _OFFSET[self.setting.protocol] + (r % 3) * 0.2, 3)

    def _hop(self, ttl: int, n: int, filtered: bool) -> HopSnapshot:
        answers: dict[str, list[float]] = {}
        history: list[float | None] = []
        for r in range(n):
            address = self._responder(ttl, r, filtered)
            if address is None:
                history.append(None)
                continue
            answers.setdefault(address, []).append(self._rtt(ttl, r))
            history.append(self._rtt(ttl, r))
        received = sum(len(v) for v in answers.values())
        responders = tuple(
            ResponderSnapshot(
                address=address, received=len(values), share_pct=100.0 * len(values) / received,
                rtt=summary(values), annotations=("!X",) if filtered and ttl == 4 else (),
                is_target=address == self.target, reply_ttl=64 - ttl,
            )
            for address, values in answers.items()
        )
        values = [v for v in history if v is not None]
        return HopSnapshot(ttl=ttl, sent=n, received=received, rtt=summary(values), responders=responders,
                           history=tuple(history[-40:]))

    def _responder(self, ttl: int, r: int, filtered: bool) -> str | None:
        if ttl == 1:
            return "10.0.1.1"
        if ttl == 2:
            return "10.0.2.1" if r % 2 == 0 else "10.0.3.1"
        if ttl == 3:
            return None
        if ttl == 4:
            return None if r % 4 == 3 and not filtered else "10.0.4.1"
        return self.target
