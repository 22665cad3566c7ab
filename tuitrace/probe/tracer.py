"""The sans-I/O tracer: decides which probe to send when, and what each reply means.

No sockets, no clock, no sleep: the driver passes the time in, sends what ``poll`` returns, reports each
send with ``sent`` and each decoded packet with ``on_reply``, and collects ``ProbeResult`` values. The same
object runs against raw sockets, unprivileged sockets and the simulated network of the tests.

Rounds: a round puts every TTL from ``first_ttl`` to the current path length in flight at once (spaced by
sendwait). The path length is ``max_ttl`` until the destination (or a final unreachable) answers, then the
lowest TTL at which it did; it grows again when a router answers at or beyond it, or when the end of the
path stays silent for several rounds (the route changed).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from tuitrace.config import UDP_BASE_PORT, Protocol, Setting, TraceConfig
from tuitrace.packet.incoming import IcmpError
from tuitrace.probe.annotate import annotation, is_time_exceeded
from tuitrace.probe.matching import ProbeMatcher
from tuitrace.probe.types import KEY_SPACE, LocalIdentity, Outcome, Probe, ProbeResult, Reply

NS = 1_000_000_000
UDP_PORT_WINDOW = 100
"""Classic UDP cycles through 33434..33533, the range firewalls commonly open for traceroute."""
SILENT_ROUNDS_BEFORE_REDISCOVERY = 5


@dataclass(slots=True)
class PathState:
    """What the tracer knows about the path under one setting."""

    rounds: int = 0
    path_len: int | None = None
    reached: bool = False
    silent_rounds: int = 0
    highest_answer: int = 0
    """The highest TTL that ever answered under this setting."""


@dataclass(slots=True)
class _InFlight:
    probe: Probe
    sent_ns: int


@dataclass(slots=True)
class _Counters:
    sent: int = 0
    unmatched: int = 0
    send_errors: int = 0
    late: int = 0


class Tracer:
    def __init__(self, config: TraceConfig, identity: LocalIdentity) -> None:
        if not 1 <= config.first_ttl <= config.max_ttl <= 255:
            raise ValueError("need 1 <= first TTL <= max TTL <= 255")
        self._config = config
        self._identity = identity
        self._setting = config.setting
        self._paths: dict[Setting, PathState] = {}
        self._in_flight: dict[int, _InFlight] = {}
        self._queue: deque[Probe] = deque()
        self._results: list[ProbeResult] = []
        self._next_key = 0
        self._next_round_ns: int | None = None
        self._next_send_ns = 0
        self._paused = False
        self.counters = _Counters()
        self._active = self._paths[self._setting] = PathState()
        self._matcher = ProbeMatcher(identity, config.family, config.target)

    # -- settings -------------------------------------------------------------------------------------
    @property
    def config(self) -> TraceConfig:
        return self._config

    @property
    def setting(self) -> Setting:
        return self._setting

    @property
    def paused(self) -> bool:
        return self._paused

    def path(self, setting: Setting | None = None) -> PathState:
        return self._state(setting)

    def _state(self, setting: Setting | None = None) -> PathState:
        if setting is None or setting is self._setting:
            return self._active
        state = self._paths.get(setting)
        if state is None:
            state = self._paths[setting] = PathState()
        return state

    def set_setting(self, setting: Setting, now_ns: int) -> None:
        """Switch protocol/port: probes already in flight still count for the setting they were sent with."""
        if setting == self._setting:
            return
        self._setting = setting
        self._config = replace(self._config, setting=setting)
        self._queue.clear()
        self._active = self._paths.setdefault(setting, PathState())
        if self._next_round_ns is not None:
            self._next_round_ns = now_ns

    def set_sendwait(self, seconds: float) -> None:
        self._config = replace(self._config, sendwait=max(0.0, seconds))

    def set_interval(self, seconds: float, now_ns: int) -> None:
        if seconds <= 0:
            raise ValueError("interval must be positive")
        self._config = replace(self._config, interval=seconds)
        if self._next_round_ns is not None:
            self._next_round_ns = min(self._next_round_ns, now_ns + int(seconds * NS))

    def pause(self) -> None:
        self._paused = True
        self._queue.clear()

    def resume(self, now_ns: int) -> None:
        if self._paused:
            self._paused = False
            if self._next_round_ns is not None:
                self._next_round_ns = now_ns

    def forget(self, setting: Setting) -> None:
        """Start the path knowledge of a setting afresh (with a statistics reset)."""
        self._paths[setting] = PathState()
        if setting == self._setting:
            self._active = self._paths[setting]

    # -- time -----------------------------------------------------------------------------------------
    def start(self, now_ns: int) -> None:
        if self._next_round_ns is None:
            self._next_round_ns = now_ns

    @property
    def finished(self) -> bool:
        """All requested rounds sent and every probe resolved (only with a round count)."""
        count = self._config.count
        return count is not None and self._state().rounds >= count and not self._queue and not self._in_flight

    def next_deadline(self) -> int | None:
        """The next time ``poll`` has something to do, or ``None`` when only a reply can change things."""
        times: list[int] = []
        if self._queue:
            times.append(self._next_send_ns)
        elif self._round_allowed() and self._next_round_ns is not None:
            times.append(self._next_round_ns)
        if self._in_flight:
            first = next(iter(self._in_flight.values()))
            times.append(first.sent_ns + self._wait_ns)
        return min(times) if times else None

    @property
    def _wait_ns(self) -> int:
        return int(self._config.wait * NS)

    def _round_allowed(self) -> bool:
        count = self._config.count
        return not self._paused and (count is None or self._state().rounds < count)

    def poll(self, now_ns: int) -> list[Probe]:
        """Expire overdue probes and return the probes due to be sent now."""
        self._expire(now_ns)
        if (
            not self._queue
            and self._round_allowed()
            and self._next_round_ns is not None
            and now_ns >= self._next_round_ns
        ):
            self._launch_round(now_ns)
        due: list[Probe] = []
        gap = int(self._config.sendwait * NS)
        while self._queue and now_ns >= self._next_send_ns:
            due.append(self._queue.popleft())
            if gap:  # sendwait: at most one probe per gap
                self._next_send_ns = now_ns + gap
                break
        return due

    def _launch_round(self, now_ns: int) -> None:
        state = self._state()
        last = state.path_len or self._config.max_ttl
        number = state.rounds
        state.rounds += 1
        self._next_round_ns = now_ns + int(self._config.interval * NS)
        self._next_send_ns = now_ns
        for ttl in range(self._config.first_ttl, last + 1):
            self._queue.append(self._make_probe(ttl, number))

    def _make_probe(self, ttl: int, number: int) -> Probe:
        key = self._next_key
        self._next_key = (key + 1) % KEY_SPACE
        setting = self._setting
        if setting.protocol is _ICMP:
            dport = 0
        elif setting.port is not None:
            dport = setting.port
        else:
            dport = UDP_BASE_PORT + key % UDP_PORT_WINDOW
        config = self._config
        return Probe(
            key, ttl, setting, number, config.target, config.family, dport, config.tos, config.packet_size
        )

    # -- sending --------------------------------------------------------------------------------------
    def sent(self, probe: Probe, tx_ns: int) -> None:
        """The network sent ``probe`` at ``tx_ns``."""
        old = self._in_flight.pop(probe.key, None)
        if old is not None:  # the key space wrapped around a probe that never resolved
            self._resolve(old, Outcome.LOST)
        self._in_flight[probe.key] = _InFlight(probe, tx_ns)
        self.counters.sent += 1

    def send_failed(self, probe: Probe) -> None:
        """The local stack refused the probe (no route, message too long...): it counts as lost."""
        self.counters.send_errors += 1
        self.counters.sent += 1
        self._resolve(_InFlight(probe, 0), Outcome.LOST)

    def _expire(self, now_ns: int) -> None:
        wait = self._wait_ns
        while self._in_flight:
            key, first = next(iter(self._in_flight.items()))
            if first.sent_ns + wait > now_ns:
                break
            del self._in_flight[key]
            self._resolve(first, Outcome.LOST)

    # -- receiving ------------------------------------------------------------------------------------
    def on_reply(self, reply: Reply) -> bool:
        """Match a decoded packet to one of our probes; ``False`` when it is not ours (counted, dropped)."""
        flight = self._matcher.match(reply, self._in_flight)
        if flight is None:
            self.counters.unmatched += 1
            return False
        del self._in_flight[flight.probe.key]
        outcome, mark = self._classify(flight.probe, reply)
        self._resolve(flight, outcome, reply, mark)
        return True

    def take_results(self) -> list[ProbeResult]:
        results, self._results = self._results, []
        return results

    def _classify(self, probe: Probe, reply: Reply) -> tuple[Outcome, str | None]:
        message = reply.message
        if not isinstance(message, IcmpError):
            return _REACHED, None
        if is_time_exceeded(probe.family, message):
            return _TIME_EXCEEDED, None
        mark = annotation(probe.family, message)
        return (_REACHED if reply.responder == probe.target else _UNREACHABLE), mark

    def _resolve(
        self,
        flight: _InFlight,
        outcome: Outcome,
        reply: Reply | None = None,
        mark: str | None = None,
    ) -> None:
        probe = flight.probe
        if reply is None:
            result = ProbeResult(
                probe.key, probe.setting, probe.ttl, probe.round, outcome, None, None, mark, None
            )
        else:
            rtt_ns = reply.rx_ns - flight.sent_ns
            result = ProbeResult(
                probe.key,
                probe.setting,
                probe.ttl,
                probe.round,
                outcome,
                reply.responder,
                rtt_ns if rtt_ns > 0 else 0,
                mark,
                reply.reply_ttl,
            )
        self._learn(result)
        self._results.append(result)

    def _learn(self, result: ProbeResult) -> None:
        """Adapt the path length to what this result says."""
        state = self._state(result.setting)
        outcome, ttl = result.outcome, result.ttl
        if outcome is _REACHED:
            state.reached = True
        if result.responder is not None and ttl > state.highest_answer:
            state.highest_answer = ttl
        known = state.path_len
        if outcome is _REACHED or outcome is _UNREACHABLE:  # result.final
            if known is None or ttl <= known:
                state.path_len = ttl
                state.silent_rounds = 0
        elif outcome is _TIME_EXCEEDED:
            if known is not None and ttl >= known:
                state.path_len = None  # the path grew: look again up to max_ttl
        elif known is not None and ttl == known:
            state.silent_rounds += 1
            if state.silent_rounds >= SILENT_ROUNDS_BEFORE_REDISCOVERY and known < self._config.max_ttl:
                state.path_len = None
                state.silent_rounds = 0


# Enum members are properties of their class in Python 3.11: plain names are cheaper on the hot path.
_ICMP = Protocol.ICMP
_REACHED, _UNREACHABLE, _TIME_EXCEEDED = Outcome.REACHED, Outcome.UNREACHABLE, Outcome.TIME_EXCEEDED
