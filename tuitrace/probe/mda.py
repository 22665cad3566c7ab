"""``--mda``: the Multipath Detection Algorithm (Augustin, Friedman, Teixeira, IMC 2007; failure bounds of
Veitch et al., INFOCOM 2009), hop by hop with a stated confidence, as a sans-I/O state machine.

The stopping rule. Suppose an interface at TTL h-1 load-balances over K next hops, each flow picking one
uniformly. Having seen k of them, MDA keeps sending flows through it until the hypothesis "there are
k + 1" can be rejected: n_k flows such that n_k uniformly random flows over k + 1 next hops would miss at
least one of them with probability at most alpha = 1 - confidence (computed exactly, by inclusion and
exclusion, in :mod:`tuitrace.probe.mda_rule`). At alpha = 1 - confidence per step this is the published
table (6, 11, 16, 21, 27... flows at 95%; 8, 15, 21, 28... at 99%; checked in the tests) and scamper's
``tracelb``: a bound per interface and per hypothesis, so a path with several load-balanced stages is
missed more often than alpha (a 4-way stage then a 2-way one: 7.2% of runs at 95%). tuitrace states the
confidence per run instead: the i-th branching TTL is tested at alpha / 2^i (``run_level``), which costs
one flow more per single hop for each branching TTL found before it. (The chance that a k-way split is
missed at level a, ``miss_probability``, is at or below a for k up to 6, and at most 1.012 a for k up to
10 at a = 5%, 2.5%, 1.25%, 1% and 0.5%: computed.)

What it does, per TTL h (flows are those of :mod:`tuitrace.probe.flows`, numbered 1..``max_flows``):

- for every interface v found at h-1 (at the first TTL, one virtual root every flow passes), the flows
  known to pass v are probed at h until n_k of them answered there, k being v's distinct successors so
  far. A lost probe gives no evidence and does not count: its flow may be probed there once more, and
  only a second loss makes it a flow through a silent interface (one lost probe on a lossy branch is
  not a silent router, whose flows would then need node control of their own). When as many flows as
  one next hop needs all went unanswered, the next hop is silent (``*``). Silent interfaces cannot be
  told apart, so their flows carry on without a test of their successors;
- when v has too few known flows, new flows are probed at h-1 ("node control"): they land on v or on its
  siblings, and every landing is used later. When v is the only interface at h-1 (the rule already ruled
  out a second one at the confidence asked), new flows are known to pass it and start at h directly, as
  MDA-Lite (Vermeulen et al., IMC 2018) does for hops without load balancing;
- flows are reused across TTLs: a flow probed at h-1 is probed at h only while its interface needs it;
- at the first TTL, when the caller found in the host's routing table that every route towards the
  target has one next hop (:meth:`MdaDiscovery.source_has_one_next_hop`), one answer is enough: the
  first hop cannot branch (tracelb assumes this without looking);
- each TTL starts with one probe; when the destination answers it, discovery ends there: the
  destination's own TTL is not enumerated (as scamper's ``tracelb`` does). Otherwise it ends at
  ``max_ttl`` or when the flow budget runs out (then the result says so).

Interfaces are responder addresses per TTL; a flow whose probe went unanswered is ``None`` there
(``*``), so links through a silent router are reported as ``(a, None)`` and ``(None, c)``. Links are the
(interface at h-1, interface at h) pairs that one flow showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from tuitrace.config import Protocol, TraceConfig
from tuitrace.probe.flows import udp_flow_port
from tuitrace.probe.matching import ProbeMatcher
from tuitrace.probe.mda_rule import run_level, stopping_point_at
from tuitrace.probe.types import KEY_SPACE, LocalIdentity, Probe, Reply

CONFIDENCES = (95, 99)
MDA_MAX_FLOWS = 64
"""Flows one discovery may use (TCP reserves a source port for each)."""
FIRST_KEY = KEY_SPACE // 2
"""Discovery probes use keys from the middle of the key space: the trace that follows starts at 0, so a
late answer to a discovery probe cannot be taken for one of its probes."""
_ROOT = "<root>"
_MISSING = "<not probed>"
Vertex = str | None
"""An interface: its address, or ``None`` for a flow that got no answer at that TTL."""


def zip_longest_flows(groups: list[list[int]]) -> list[list[int]]:
    """Round-robin over ``groups``: the first of each, then the second of each..."""
    longest = max((len(group) for group in groups), default=0)
    return [[group[index] for group in groups if index < len(group)] for index in range(longest)]


@dataclass(frozen=True, slots=True)
class MdaHop:
    ttl: int
    interfaces: tuple[Vertex, ...]
    links: tuple[tuple[Vertex, Vertex], ...]
    """(interface at ttl - 1, interface at ttl) pairs; none at the first TTL."""
    probes: int
    """Probes sent at this TTL during discovery."""


@dataclass(frozen=True, slots=True)
class MdaResult:
    confidence: int
    probes: int
    hops: tuple[MdaHop, ...]
    reached: bool
    flows_used: int
    complete: bool
    """False when the flow budget or ``max_ttl`` ran out before the rule was satisfied everywhere."""


@dataclass(slots=True)
class _Flight:
    probe: Probe
    sent_ns: int


class MdaDiscovery:
    """Time and replies in, probes out: the same seam as the tracer (``poll``, ``sent``, ``on_reply``)."""

    def __init__(
        self, config: TraceConfig, identity: LocalIdentity, confidence: int, max_flows: int = MDA_MAX_FLOWS,
        *, per_run: bool = True,
    ) -> None:
        """``per_run``: ``confidence`` holds for the whole run (``mda_rule.run_level``); else per step, as
        the published table and scamper's ``tracelb`` mean it (for comparisons)."""
        if confidence not in CONFIDENCES:
            raise ValueError(f"confidence must be one of {CONFIDENCES}, not {confidence}")
        self._config = config
        self._confidence = confidence
        self._alpha = Fraction(100 - confidence, 100)
        self._per_run = per_run
        self._max_flows = max_flows
        self._matcher = ProbeMatcher(identity, config.family, config.target)
        self._wait_ns = int(config.wait * 1e9)
        self._routes: dict[int, dict[int, Vertex]] = {}
        """Per flow, per TTL: who answered (``None``: silent twice)."""
        self._in_flight: dict[int, _Flight] = {}
        self._next_key = FIRST_KEY
        self._ttl = config.first_ttl
        self._lost: set[tuple[int, int]] = set()
        """(flow, TTL) whose probe went unanswered once."""
        self._probes: dict[int, int] = {}
        """Probes sent per TTL."""
        self._done = False
        self._reached = False
        self._complete = True
        self._one_first_hop = False

    @property
    def config(self) -> TraceConfig:
        return self._config

    def source_has_one_next_hop(self) -> None:
        """Evidence from the source's own routing table: every probe leaves through one gateway, so the
        first TTL has one interface for certain (when discovery starts there) and needs one answer, not
        n_1 (scamper's ``tracelb`` assumes this without looking)."""
        self._one_first_hop = self._config.first_ttl == 1

    # -- the seam ---------------------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self._done and not self._in_flight

    def next_deadline(self) -> int | None:
        if not self._in_flight:
            return None
        return min(flight.sent_ns for flight in self._in_flight.values()) + self._wait_ns

    def poll(self, now_ns: int) -> list[Probe]:
        """Expire overdue probes; when nothing is in flight, the next batch (empty once done)."""
        for key, flight in list(self._in_flight.items()):
            if flight.sent_ns + self._wait_ns <= now_ns:
                del self._in_flight[key]
                self._record(flight.probe, None)
        if self._in_flight or self._done:
            return []
        batch: list[Probe] = []
        while not batch and not self._done:
            batch = self._plan()
        return batch

    def sent(self, probe: Probe, tx_ns: int) -> None:
        self._in_flight[probe.key] = _Flight(probe, tx_ns)
        self._probes[probe.ttl] = self._probes.get(probe.ttl, 0) + 1

    def send_failed(self, probe: Probe) -> None:
        self._probes[probe.ttl] = self._probes.get(probe.ttl, 0) + 1
        self._record(probe, None)

    def on_reply(self, reply: Reply) -> bool:
        flight = self._matcher.match(reply, self._in_flight)
        if flight is None:
            return False
        del self._in_flight[flight.probe.key]
        late = reply.rx_ns - flight.sent_ns > self._wait_ns
        self._record(flight.probe, None if late else reply.responder)
        return True

    def result(self) -> MdaResult:
        last = self._ttl
        return MdaResult(
            self._confidence,
            sum(self._probes.values()),
            tuple(self._hop(ttl) for ttl in range(self._config.first_ttl, last + 1)),
            self._reached,
            len(self._routes),
            self._complete,
        )

    # -- the algorithm ----------------------------------------------------------------------------------
    def _record(self, probe: Probe, responder: str | None) -> None:
        """A flow's answer at a TTL. A first timeout is not recorded (the flow waits to be probed there
        again: random loss is no silent router); a second one is, as ``None``."""
        route = self._routes.setdefault(probe.flow, {})
        if responder is None and (probe.flow, probe.ttl) not in self._lost:
            self._lost.add((probe.flow, probe.ttl))
            return
        route[probe.ttl] = responder

    def _silent(self, flows: list[int], ttl: int, wanted: int) -> bool:
        """Nothing of ``flows`` answered at ``ttl`` and at least ``wanted`` of them were tried: a silent next
        hop. Its flows are then recorded as ``None`` there, so that discovery goes on past it."""
        tried = [flow for flow in flows if ttl in self._routes[flow] or (flow, ttl) in self._lost]
        if len(tried) < wanted or any(self._routes[flow].get(ttl) is not None for flow in tried):
            return False
        for flow in tried:
            self._routes[flow][ttl] = None
        return True

    def _through(self, vertex: Vertex, ttl: int) -> list[int]:
        """The flows known to pass ``vertex`` at ``ttl`` (every flow passes the root)."""
        if vertex == _ROOT:
            return list(self._routes)
        return [flow for flow, route in self._routes.items() if route.get(ttl, _MISSING) == vertex]

    def _vertices(self, ttl: int) -> list[Vertex]:
        if ttl < self._config.first_ttl:
            return [_ROOT]
        return list(dict.fromkeys(route[ttl] for route in self._routes.values() if ttl in route))

    def _plan(self) -> list[Probe]:
        """The probes of the next batch at the current TTL; moves on when none is needed."""
        ttl = self._ttl
        before = ttl - 1
        if self._config.target in self._vertices(ttl):  # the destination answered: the end
            self._next_ttl(ttl)
            return []
        vertices = self._vertices(before)
        known = [flow for vertex in vertices for flow in self._through(vertex, before)]
        successors = {self._routes[f][ttl] for f in known if self._routes[f].get(ttl) is not None}
        if sum(vertex is not None for vertex in vertices) > 1 and len(successors) > 1:
            batch = self._plan_per_interface(ttl, vertices)
        else:
            batch = self._plan_per_hop(ttl, vertices, known, len(successors))
        if batch:
            return batch
        self._next_ttl(ttl)
        return []

    def _plan_per_hop(self, ttl: int, vertices: list[Vertex], known: list[int], seen: int) -> list[Probe]:
        """MDA-Lite's rule: n_k answered flows over the whole hop, and at least one through every interface
        of the hop before (so that each has its link)."""
        before = ttl - 1
        probed = [flow for flow in known if ttl in self._routes[flow]]
        answered = [flow for flow in probed if self._routes[flow][ttl] is not None]
        rule = stopping_point_at(max(1, seen), self._level(ttl))
        wanted = 1 if ttl == 1 and self._one_first_hop else rule
        if not answered and self._silent(known, ttl, rule):
            return []  # a silent hop: as many probes as one next hop needs all went unanswered
        tried = probed + [flow for flow in known
                          if (flow, ttl) in self._lost and ttl not in self._routes[flow]]
        waiting_by_vertex = [  # flows not tried here first, then those whose probe went unanswered once
            sorted((f for f in self._through(vertex, before) if ttl not in self._routes[f]),
                   key=lambda flow: (flow, ttl) in self._lost)
            for vertex in vertices
        ]
        if not tried:  # one scout first: if the destination answers it, this TTL is not enumerated
            scouts = [group[0] for group in waiting_by_vertex if group][:1]
            if not scouts:
                sole = vertices[0] if len(vertices) == 1 else _ROOT
                scouts = self._new_flows(1, sole if sole not in (None, _ROOT) else _ROOT, before)
                if sole is None or (sole == _ROOT and ttl > self._config.first_ttl):
                    return [self._probe(flow, before) for flow in scouts]
            return [self._probe(flow, ttl) for flow in scouts]
        batch: list[Probe] = []
        for vertex, waiting in zip(vertices, waiting_by_vertex, strict=True):  # every interface its link
            if vertex not in (None, _ROOT) and waiting and not any(
                self._routes[f].get(ttl) is not None for f in self._through(vertex, before)
            ):
                batch.append(self._probe(waiting.pop(0), ttl))
        # silent so far: unanswered probes count, up to the rule's number that makes the hop silent
        need = (wanted if answered else rule) - len(answered or tried) - len(batch)
        # then the flows waiting, taken from each interface in turn; a flow lost here once is tried again
        # only where a new flow would cost two probes (landed on the hop before) rather than one
        order = [flow for group in zip_longest_flows(waiting_by_vertex) for flow in group]
        fresh = [flow for flow in order if (flow, ttl) not in self._lost]
        retries = [flow for flow in order if (flow, ttl) in self._lost]
        batch.extend(self._probe(flow, ttl) for flow in fresh[: max(0, need)])
        short = need - len(fresh)
        if short > 0:
            sole = vertices[0] if len(vertices) == 1 else None
            if sole is not None:
                batch.extend(self._probe(flow, ttl) for flow in self._new_flows(short, sole, before))
            else:  # land new flows on the hop before (several interfaces, or a silent one)
                batch.extend(self._probe(flow, ttl) for flow in retries[:short])
                landing = self._new_flows(short - len(retries[:short]))
                batch.extend(self._probe(flow, before) for flow in landing)
        return batch

    def _plan_per_interface(self, ttl: int, vertices: list[Vertex]) -> list[Probe]:
        """The full MDA rule, per interface of the hop before: used where two wide hops follow each other
        (load balancers in a row may be meshed, which the per-hop rule cannot see)."""
        before = ttl - 1
        batch: list[Probe] = []
        landing = 0
        """New flows to probe at ``before``, to land on interfaces short of flows."""
        level = self._level(ttl, tested=sum(vertex is not None for vertex in vertices))
        for vertex in vertices:
            through = self._through(vertex, before)
            if vertex is None:  # silent interfaces cannot be told apart: their flows only carry on
                batch.extend(self._probe(flow, ttl) for flow in through if ttl not in self._routes[flow])
                continue
            probed = [flow for flow in through if ttl in self._routes[flow]]
            answered = [flow for flow in probed if self._routes[flow][ttl] is not None]
            wanted = stopping_point_at(max(1, len({self._routes[f][ttl] for f in answered})), level)
            if len(answered) >= wanted or (not answered and self._silent(through, ttl, wanted)):
                continue  # the rule holds, or as many probes as one next hop needs all went unanswered
            need = wanted - len(answered)
            waiting = [flow for flow in through if ttl not in self._routes[flow]]
            batch.extend(self._probe(flow, ttl) for flow in waiting[:need])
            short = need - len(waiting)
            if short > 0 and (vertex == _ROOT or (vertex is not None and len(vertices) == 1)):
                # Every flow passes the one interface of the hop before (the rule ruled out a second at
                # the confidence asked): new flows start right here, without a probe to land them.
                batch.extend(self._probe(flow, ttl) for flow in self._new_flows(short, vertex, before))
            elif short > 0:
                landing += short
        if landing:
            batch.extend(self._probe(flow, before) for flow in self._new_flows(landing))
        return batch

    def _level(self, ttl: int, tested: int = 1) -> Fraction:
        """The level of the tests at ``ttl`` (see :func:`mda_rule.run_level`)."""
        if not self._per_run:
            return self._alpha
        branching = sum(
            len({vertex for vertex in self._vertices(before) if vertex is not None}) > 1
            for before in range(self._config.first_ttl, ttl)
        )
        return run_level(self._alpha, branching, tested)

    def _new_flows(self, count: int, via: Vertex = _ROOT, at: int = 0) -> list[int]:
        """``count`` new flows (fewer when the budget runs out), known to pass ``via`` at ``at``."""
        first = len(self._routes) + 1
        flows = list(range(first, min(self._max_flows, first + count - 1) + 1))
        if len(flows) < count:
            self._complete = False  # the budget ran out: what is found so far is reported as incomplete
            if not flows:
                self._done = True
        for flow in flows:
            self._routes[flow] = {} if via == _ROOT else {at: via}
        return flows

    def _probe(self, flow: int, ttl: int) -> Probe:
        key = self._next_key
        self._next_key = key + 1 if key + 1 < KEY_SPACE else FIRST_KEY
        config = self._config
        setting = config.setting
        if setting.protocol is Protocol.ICMP:
            dport = 0
        elif setting.protocol is Protocol.UDP:
            dport = udp_flow_port(setting, flow)
        else:
            dport = setting.port or 0
        return Probe(key, ttl, setting, 0, config.target, config.family, dport, config.tos,
                     config.payload_len, flow)

    def _next_ttl(self, ttl: int) -> None:
        """Stop at the destination (its successors are not enumerated) or at ``max_ttl``; else go on."""
        if self._config.target in self._vertices(ttl):
            self._reached = True
            self._done = True
        elif ttl >= self._config.max_ttl:
            self._complete = False
            self._done = True
        else:
            self._ttl = ttl + 1

    def _hop(self, ttl: int) -> MdaHop:
        links: dict[tuple[Vertex, Vertex], None] = {}
        if ttl > self._config.first_ttl:
            for route in self._routes.values():
                if ttl in route and ttl - 1 in route:
                    links.setdefault((route[ttl - 1], route[ttl]), None)
        return MdaHop(ttl, tuple(self._vertices(ttl)), tuple(links), self._probes.get(ttl, 0))
