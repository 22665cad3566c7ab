"""The sans-I/O tracer: decides which probe to send when, and what each reply means.

No sockets, no clock, no sleep: the driver passes the time in, sends what ``poll`` returns, reports each
send with ``sent`` and each decoded packet with ``on_reply``, and collects ``ProbeResult`` values. The same
object runs against raw sockets, unprivileged sockets and the simulated network of the tests.

Rounds: a round puts every TTL from ``first_ttl`` to the horizon in flight at once (spaced by sendwait);
when rounds start and probes leave is :mod:`tuitrace.probe.rounds`. What a result means for the path (how
far to probe, where the path ends, whether the destination answers, whether the result is a hop at all) is
decided in :mod:`tuitrace.probe.pathlearn`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from tuitrace.config import UDP_BASE_PORT, Protocol, Setting, TraceConfig, smallest_probe
from tuitrace.defaults import MAX_HOPS
from tuitrace.packet.incoming import EchoReply, IcmpError
from tuitrace.probe.annotate import annotation, is_time_exceeded
from tuitrace.probe.flows import udp_flow_port
from tuitrace.probe.matching import ProbeMatcher
from tuitrace.probe.pathlearn import Fate, PathState, learn
from tuitrace.probe.pmtu import PathMtu
from tuitrace.probe.reference import EchoReference, echo_due
from tuitrace.probe.rounds import NS, RoundClock
from tuitrace.probe.types import KEY_SPACE, LocalIdentity, Outcome, Probe, ProbeResult, Reply

UDP_PORT_WINDOW = 100
"""Classic UDP cycles through 33434..33533, the range firewalls commonly open for traceroute."""


@dataclass(slots=True)
class _InFlight:
    probe: Probe
    sent_ns: int


@dataclass(slots=True)
class _Counters:
    sent: int = 0
    matched: int = 0
    """Packets that answered a probe of ours (also those whose result is dropped as beyond the path's end)."""
    unmatched: int = 0


class Tracer:
    def __init__(self, config: TraceConfig, identity: LocalIdentity) -> None:
        if not MAX_HOPS.low <= config.first_ttl <= config.max_ttl <= MAX_HOPS.high:
            raise ValueError(f"need 1 <= first TTL <= max TTL <= {MAX_HOPS.high:g}")
        self._config = config
        self._setting = config.setting
        self._paths: dict[Setting, PathState] = {}
        self._in_flight: dict[int, _InFlight] = {}
        self._clock = RoundClock(config.interval, config.sendwait)
        self._wait_ns = int(config.wait * NS)
        """How long a probe waits for its answer (``-w``; fixed for the run), read on every probe."""
        self._results: list[ProbeResult] = []
        self._trims: list[tuple[int, Setting, int]] = []
        """(position in ``_results``, setting, TTL): rows beyond TTL hold no hop from that result on."""
        self._void: set[int] = set()
        """Keys of probes in flight when their setting was reset: they resolve without a result."""
        self._next_key = 0
        self.counters = _Counters()
        self._active = self._paths[self._setting] = PathState()
        self._matcher = ProbeMatcher(identity, config.family, config.target)
        self.reference = EchoReference()
        """TCP traces: the echo requests sent beside the probes and the TTLs of the destination's answers."""
        self._queries = config.queries
        self._pmtu: PathMtu | None = None
        """``--mtu``: the probe length now and where it dropped; ``None`` without it."""
        if config.mtu_discovery:
            smallest = smallest_probe(config.setting.protocol, config.family)
            self._pmtu = PathMtu(config.packet_len, config.first_ttl, smallest)

    # -- settings -------------------------------------------------------------------------------------
    @property
    def config(self) -> TraceConfig:
        return self._config

    @property
    def setting(self) -> Setting:
        return self._setting

    @property
    def paused(self) -> bool:
        return self._clock.paused

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
        self._active = self._paths.setdefault(setting, PathState())
        self._clock.restart(now_ns)

    def set_sendwait(self, seconds: float) -> None:
        self._clock.set_sendwait(seconds)
        self._config = replace(self._config, sendwait=max(0.0, seconds))

    def set_interval(self, seconds: float, now_ns: int) -> None:
        self._clock.set_interval(seconds, now_ns)
        self._config = replace(self._config, interval=seconds)

    def pause(self) -> None:
        self._clock.pause()

    def resume(self, now_ns: int) -> None:
        self._clock.resume(now_ns)

    def forget(self, setting: Setting, now_ns: int) -> None:
        """Start the path knowledge of a setting afresh (with a statistics reset).

        Probes sent before are discarded: those in flight resolve without a result, queued ones are not
        sent, and a new round starts at once."""
        self._paths[setting] = PathState()
        self._void.update(key for key, flight in self._in_flight.items() if flight.probe.setting == setting)
        self._void.update(key for key, owner in self.reference.keys.items() if owner == setting)
        self.reference.forget(setting)
        if self._results:
            self._drop_pending(setting)
        if setting == self._setting:
            self._active = self._paths[setting]
            self._clock.restart(now_ns)

    def _drop_pending(self, setting: Setting) -> None:
        """Drop the untaken results of ``setting``, keeping the trims of the others at their places."""
        results, trims = self._results, self._trims
        self._results, self._trims = [], []
        at: dict[int, list[tuple[Setting, int]]] = {}
        for position, other, ttl in trims:
            at.setdefault(position, []).append((other, ttl))
        for position, result in enumerate(results, start=1):
            if result.setting != setting:
                self._results.append(result)
            for other, ttl in at.get(position, ()):
                if other != setting:
                    self._trims.append((len(self._results), other, ttl))

    # -- time -----------------------------------------------------------------------------------------
    def start(self, now_ns: int) -> None:
        self._clock.start(now_ns)

    @property
    def finished(self) -> bool:
        """All requested rounds sent and every probe resolved (only with a round count)."""
        return not self._more_rounds() and not self._clock.queue and not self._in_flight

    def next_deadline(self) -> int | None:
        """The next time ``poll`` has something to do, or ``None`` when only a reply can change things."""
        due = self._clock.deadline(self._more_rounds())
        if self._in_flight:
            first = next(iter(self._in_flight.values())).sent_ns + self._wait_ns
            return first if due is None else min(due, first)
        return due

    def _more_rounds(self) -> bool:
        count = self._config.count
        return count is None or self._active.rounds < count

    def overdue(self, now_ns: int) -> bool:
        """True when the oldest probe in flight has waited its full time: before ``poll`` declares it lost,
        the driver reads what already arrived (a reader late to run must not turn answers into loss)."""
        if not self._in_flight:
            return False
        return next(iter(self._in_flight.values())).sent_ns + self._wait_ns <= now_ns

    def poll(self, now_ns: int) -> list[Probe]:
        """Expire overdue probes and return the probes due to be sent now."""
        self._expire(now_ns)
        clock = self._clock
        if clock.round_due(now_ns) and self._more_rounds():
            self._launch_round(now_ns)
        return clock.due(now_ns)

    def _launch_round(self, now_ns: int) -> None:
        state = self._active
        last = state.horizon or self._config.max_ttl
        number = state.rounds
        state.rounds += 1
        make = self._make_probe
        ttls = range(self._config.first_ttl, last + 1)
        flows = self._config.flows
        if flows:
            probes = [make(ttl, number, flow) for ttl in ttls for flow in range(1, flows + 1)]
        else:
            queries = range(self._queries)
            probes = [make(ttl, number) for ttl in ttls for _ in queries]
        if self._setting.protocol is _TCP and echo_due(number):
            probes.append(self._echo_probe(number))
        self._clock.begin_round(now_ns, probes)

    def _echo_probe(self, number: int) -> Probe:
        """An ICMP echo request to the destination for the TTL check of a TCP trace (never a hop)."""
        key = self._next_key
        self._next_key = (key + 1) % KEY_SPACE
        self.reference.keys[key] = self._setting
        config = self._config
        family = config.family
        length = max(config.packet_len, smallest_probe(self._setting.protocol, family))
        payload = max(0, length - smallest_probe(_ICMP, family))  # as long as the TCP probes
        return Probe(key, config.max_ttl, _ECHO, number, config.target, family, 0, config.tos, payload)

    def _make_probe(self, ttl: int, number: int, flow: int = 0) -> Probe:
        key = self._next_key
        self._next_key = (key + 1) % KEY_SPACE
        setting = self._setting
        if setting.protocol is _ICMP:
            dport = 0
        elif flow and setting.protocol is _UDP:
            dport = udp_flow_port(setting, flow)
        elif setting.port is not None:
            dport = setting.port
        else:
            dport = UDP_BASE_PORT + key % UDP_PORT_WINDOW
        config = self._config
        return Probe(
            key, ttl, setting, number, config.target, config.family, dport, config.tos, config.payload_len,
            flow,
        )

    # -- sending --------------------------------------------------------------------------------------
    def sent(self, probe: Probe, tx_ns: int) -> None:
        """The network sent ``probe`` at ``tx_ns``."""
        old = self._in_flight.pop(probe.key, None)
        if old is not None:  # the key space wrapped around a probe that never resolved
            self._resolve(old, Outcome.LOST)
        self._in_flight[probe.key] = _InFlight(probe, tx_ns)
        owner = self.reference.keys.get(probe.key) if probe.setting is _ECHO else None
        if owner is not None:  # counted apart from the probes
            self.reference.sent(owner)
        else:
            self.counters.sent += 1

    def too_big_to_send(self, probe: Probe, mtu: int) -> None:
        """The kernel refused ``probe`` as larger than the path MTU it knows (EMSGSIZE with Don't
        Fragment). With ``--mtu`` later probes shrink to ``mtu`` and this one is not counted; without,
        it is lost like any probe the stack refuses."""
        if self._pmtu is None or not self._smaller_path(probe, mtu):
            self.send_failed(probe)

    def _smaller_path(self, probe: Probe, mtu: int) -> bool:
        """``--mtu``: ``probe`` did not fit ``mtu``; later probes are made to fit. ``False``: no news."""
        assert self._pmtu is not None
        if not self._pmtu.too_big(probe.ttl, self._length(probe), mtu):
            return False
        if self._config.packet_len != self._pmtu.length:
            self._config = replace(self._config, packet_len=self._pmtu.length)
        return True

    @staticmethod
    def _length(probe: Probe) -> int:
        return smallest_probe(probe.setting.protocol, probe.family) + probe.payload_len

    def send_failed(self, probe: Probe) -> None:
        """The local stack refused the probe (no route, message too long...): it counts as lost."""
        owner = self.reference.keys.get(probe.key) if probe.setting is _ECHO else None
        if owner is not None:  # an echo of the TTL check (no ping socket unprivileged): counted apart
            self.reference.sent(owner)
        else:
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
        self.counters.matched += 1
        del self._in_flight[flight.probe.key]
        if reply.rx_ns - flight.sent_ns > self._wait_ns:  # ours, but it came after the wait: lost, as shown
            self._resolve(flight, Outcome.LOST)
            return True
        outcome, mark = self._classify(flight.probe, reply)
        if self._pmtu is not None and mark is not None and mark.startswith("!F-"):
            mtu = int(mark[3:]) if mark[3:].isdigit() else 0
            if self._smaller_path(flight.probe, mtu):
                return True  # not a hop: the router that said so stands before this TTL
        self._resolve(flight, outcome, reply, mark)
        return True

    def take_results(self) -> list[ProbeResult]:
        results, self._results = self._results, []
        return results

    def take_trims(self) -> list[tuple[int, Setting, int]]:
        """Since the last ``take_results``: (position, setting, TTL) — after the results before position,
        the rows of setting beyond TTL must be cleared (the path turned out to end there)."""
        trims, self._trims = self._trims, []
        return trims

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
        void = self._void
        if void and probe.key in void:  # sent before a reset of its setting
            void.discard(probe.key)
            return
        if probe.setting is _ECHO and probe.key in self.reference.keys:
            owner = self.reference.keys.pop(probe.key)
            if outcome is _REACHED and reply is not None and isinstance(reply.message, EchoReply):
                self.reference.echo_reply(owner, reply.reply_ttl)
            return
        if reply is not None and outcome is _REACHED and probe.setting.protocol is _TCP and mark is None \
                and reply.reply_ttl is not None and reply.responder == probe.target:
            self.reference.tcp_answer(probe.setting, reply.reply_ttl)
        if reply is None:
            result = ProbeResult(
                probe.key, probe.setting, probe.ttl, probe.round, outcome, None, None, mark, None,
                flow=probe.flow,
            )
        else:
            rtt_ns = reply.rx_ns - flight.sent_ns
            message = reply.message
            if mark is None and self._pmtu is not None:
                mark = self._pmtu.mark_for(probe.ttl, self._length(probe))
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
                message.mpls if type(message) is IcmpError else (),
                probe.flow,
            )
        fate = learn(self._state(probe.setting), probe.ttl, outcome, self._config.max_ttl, probe.round)
        if fate is _DROP:
            return
        self._results.append(result)
        if fate is _KEEP_AND_TRIM:
            self._trims.append((len(self._results), probe.setting, probe.ttl))


# Enum members are properties of their class in Python 3.11: plain names are cheaper on the hot path.
_ICMP, _TCP, _UDP = Protocol.ICMP, Protocol.TCP, Protocol.UDP
_ECHO = Setting(Protocol.ICMP, None)
"""The setting of the TTL check's echo requests (the very object: an identity test tells them apart)."""
_REACHED, _UNREACHABLE, _TIME_EXCEEDED = Outcome.REACHED, Outcome.UNREACHABLE, Outcome.TIME_EXCEEDED
_DROP, _KEEP_AND_TRIM = Fate.DROP, Fate.KEEP_AND_TRIM
