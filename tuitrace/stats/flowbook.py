"""Statistics per flow and per distinct path, for ``--flows N``.

The hop table mixes every flow at a TTL, which is what shows that a stage balances load, but not which
responders belong to one path or whether loss sits on one branch. Here each flow (a fixed 5-tuple, see
:mod:`tuitrace.probe.flows`) keeps its own hops: at every TTL the responder that answered it most (a flow
follows one branch, so that is nearly always the only one), its probes, answers and RTTs. Flows whose hops
name the same responders are one *path*; a path's statistics are its flows' added together, so loss put on
one branch shows on the paths through it and not on the others.

Constant memory per flow and TTL (a few counters, a bounded responder count, a Welford accumulator); values
out are frozen snapshots, as for the hop table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tuitrace.config import Protocol, Setting
from tuitrace.probe.flows import describe, tcp_flow_port, udp_flow_port
from tuitrace.probe.mda import MdaResult
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.stats.rtt import RttAccumulator
from tuitrace.stats.snapshot import RttSummary

RESPONDERS_PER_FLOW_HOP = 8
"""Distinct responders counted per flow and TTL (a flow that sees more is a route that keeps changing)."""
APPLICATION_FLOW = 1
"""Flow 1 carries the trace's own ports: the flow an application with those ports takes."""


@dataclass(frozen=True, slots=True)
class FlowHop:
    """One TTL of a flow, or of a path (its flows added together)."""

    ttl: int
    address: str | None
    """The responder that answered most; ``None`` when none answered."""
    sent: int
    received: int
    rtt: RttSummary
    annotation: str | None = None
    reached: bool = False

    @property
    def loss_pct(self) -> float:
        return 0.0 if self.sent == 0 else 100.0 * (self.sent - self.received) / self.sent


class _HopRun:
    """What a flow and a path both say of their hops, in TTL order."""

    __slots__ = ()
    hops: tuple[FlowHop, ...]

    @property
    def last(self) -> FlowHop | None:
        """The last hop (the destination when it answered): its loss and RTT are the flow's or path's."""
        return self.hops[-1] if self.hops else None

    @property
    def route(self) -> tuple[str | None, ...]:
        return tuple(hop.address for hop in self.hops)


@dataclass(frozen=True, slots=True)
class FlowSnapshot(_HopRun):
    flow: int
    """1..N; flow 1 is the application's own 5-tuple."""
    label: str
    """What makes it a flow: ``UDP dport 33436``, ``TCP sport 40312 dport 443``..."""
    path: int
    """The distinct path (1..) this flow follows."""
    hops: tuple[FlowHop, ...]


@dataclass(frozen=True, slots=True)
class PathSnapshot(_HopRun):
    path: int
    flows: tuple[int, ...]
    hops: tuple[FlowHop, ...]
    """Per TTL, the statistics of every flow of the path added together."""


@dataclass(frozen=True, slots=True)
class FlowsSnapshot:
    count: int
    """Flows probed (``--flows N``)."""
    flows: tuple[FlowSnapshot, ...]
    paths: tuple[PathSnapshot, ...]
    """Distinct paths, in the order of their lowest flow (the application's flow's path first)."""
    discovery: MdaResult | None = None
    """``--mda``: what discovery found before the trace began."""

    @property
    def application_path(self) -> int | None:
        """The path the application's own 5-tuple (flow 1) takes, once it has one."""
        for flow in self.flows:
            if flow.flow == APPLICATION_FLOW:
                return flow.path
        return None


@dataclass(slots=True)
class _HopState:
    sent: int = 0
    received: int = 0
    responders: dict[str, int] = field(default_factory=dict)
    rtt: RttAccumulator = field(default_factory=RttAccumulator)
    annotation: str | None = None
    final: bool = False
    reached: bool = False

    def add(self, result: ProbeResult) -> None:
        self.sent += 1
        responder = result.responder
        if result.outcome is Outcome.LOST or responder is None:
            return
        self.received += 1
        responders = self.responders
        if responder in responders or len(responders) < RESPONDERS_PER_FLOW_HOP:
            responders[responder] = responders.get(responder, 0) + 1
        if result.rtt_ns is not None:
            self.rtt.add(result.rtt_ns / 1e6)
        if result.final:
            self.final = True
            self.reached = self.reached or result.outcome is Outcome.REACHED
            if result.annotation is not None:
                self.annotation = result.annotation

    @property
    def address(self) -> str | None:
        if not self.responders:
            return None
        return max(self.responders.items(), key=lambda item: item[1])[0]


class FlowBook:
    """Per setting (protocol and port), per flow, per TTL: what each flow of ``--flows`` met."""

    def __init__(self, count: int, tcp_port: int, discovery: MdaResult | None = None,
                 udp_port: int | None = None) -> None:
        self._count = count
        self._discovery = discovery
        self._tcp_port = tcp_port
        self._udp_port = udp_port
        """The UDP probes' source port (every UDP flow's), for the labels; ``None``: not named."""
        self._flows: dict[Setting, dict[int, dict[int, _HopState]]] = {}

    @property
    def count(self) -> int:
        return self._count

    def add(self, result: ProbeResult) -> None:
        """Count one result; ordinary probes (flow 0) are not ours to count."""
        if not result.flow:
            return
        flows = self._flows.get(result.setting)
        if flows is None:
            flows = self._flows[result.setting] = {}
        hops = flows.get(result.flow)
        if hops is None:
            hops = flows[result.flow] = {}
        hop = hops.get(result.ttl)
        if hop is None:
            hop = hops[result.ttl] = _HopState()
        hop.add(result)

    def reset(self, setting: Setting) -> None:
        self._flows.pop(setting, None)

    def label(self, setting: Setting, flow: int) -> str:
        protocol = setting.protocol
        dport = udp_flow_port(setting, flow) if protocol is Protocol.UDP else setting.port or 0
        return describe(protocol, flow, dport=dport, sport=tcp_flow_port(self._tcp_port, flow),
                        udp_sport=self._udp_port)

    def snapshot(self, setting: Setting) -> FlowsSnapshot:
        flows = self._flows.get(setting, {})
        routes: dict[tuple[str | None, ...], int] = {}
        members: dict[int, list[int]] = {}
        ttls_of: dict[int, list[int]] = {}
        flow_snapshots = []
        for flow in sorted(flows):
            states = _up_to_end(flows[flow])
            hops = tuple(_hop(ttl, [state]) for ttl, state in states)
            path = routes.setdefault(tuple(hop.address for hop in hops), len(routes) + 1)
            members.setdefault(path, []).append(flow)
            ttls_of.setdefault(path, [ttl for ttl, _state in states])
            flow_snapshots.append(FlowSnapshot(flow, self.label(setting, flow), path, hops))
        paths = tuple(
            PathSnapshot(
                path,
                tuple(members[path]),
                tuple(
                    _hop(ttl, [flows[flow][ttl] for flow in members[path] if ttl in flows[flow]])
                    for ttl in ttls_of[path]
                ),
            )
            for path in sorted(members)
        )
        return FlowsSnapshot(self._count, tuple(flow_snapshots), paths, self._discovery)


def _up_to_end(hops: dict[int, _HopState]) -> list[tuple[int, _HopState]]:
    """The flow's TTLs up to its end: its lowest final answer, else one past its highest answer."""
    ttls = sorted(hops)
    finals = [ttl for ttl in ttls if hops[ttl].final]
    if finals:
        end = finals[0]
    else:
        answered = [ttl for ttl in ttls if hops[ttl].received]
        end = (answered[-1] + 1) if answered else ttls[0] if ttls else 0
    return [(ttl, hops[ttl]) for ttl in ttls if ttl <= end]


def _hop(ttl: int, states: list[_HopState]) -> FlowHop:
    """One TTL's statistics over ``states`` (one flow's, or every flow's of a path)."""
    if len(states) == 1:
        state = states[0]
        return FlowHop(
            ttl,
            state.address,
            state.sent,
            state.received,
            state.rtt.summary(),
            state.annotation,
            state.reached,
        )
    total = RttAccumulator()
    responders: dict[str, int] = {}
    for state in states:
        _merge(total, state.rtt)
        for address, count in state.responders.items():
            responders[address] = responders.get(address, 0) + count
    most = max(responders.items(), key=lambda item: item[1])[0] if responders else None
    return FlowHop(
        ttl,
        most,
        sum(state.sent for state in states),
        sum(state.received for state in states),
        total.summary(),
        next((state.annotation for state in states if state.annotation), None),
        any(state.reached for state in states),
    )


def _merge(total: RttAccumulator, part: RttAccumulator) -> None:
    """Add ``part``'s samples to ``total`` (Chan et al.'s parallel form of Welford's update)."""
    if part.count == 0:
        return
    if total.count == 0:
        total.count, total.mean, total.m2 = part.count, part.mean, part.m2
        total.best, total.worst, total.last = part.best, part.worst, part.last
        return
    count = total.count + part.count
    delta = part.mean - total.mean
    total.m2 += part.m2 + delta * delta * total.count * part.count / count
    total.mean += delta * part.count / count
    total.count = count
    total.best = min(total.best, part.best)
    total.worst = max(total.worst, part.worst)
    total.last = part.last
