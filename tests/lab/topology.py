"""The namespace lab's topology as data: who is linked to whom, every address, every route.

Kept apart from the code that builds namespaces so that a test can ask "what should TTL 3 show?" without
touching the kernel, and so that the plan can be read in one place. The picture and the address plan are in
:mod:`tests.lab.netlab`.
"""

from __future__ import annotations

import ipaddress
import itertools
from dataclasses import dataclass
from typing import Literal

Family = Literal[4, 6]
FAMILIES: tuple[Family, Family] = (4, 6)

HOSTS = ("src", "dst")
ROUTERS = ("r1", "r2a", "r2b", "r3", "r4")
NODES = ("src", *ROUTERS, "dst")

AGGREGATE = {4: "10.201.0.0/16", 6: "fd00:201::/32"}
"""Every lab address lies in here; nothing outside it is routed anywhere inside the lab."""

NET_UNREACHABLE_INDEX = 100
"""Subnet routed from src up to r4, which answers "network unreachable" (``!N``) for it."""
HOST_UNREACHABLE_INDEX = 101
"""Subnet routed from src up to r4, which answers "host/address unreachable" (``!H``) for it."""
UNREACHABLE_INDEXES = (NET_UNREACHABLE_INDEX, HOST_UNREACHABLE_INDEX)


def subnet(index: int, family: Family) -> str:
    text = f"10.201.{index}.0/24" if family == 4 else f"fd00:201:{index}::/64"
    return str(ipaddress.ip_network(text))


def host_address(index: int, host: int, family: Family) -> str:
    """Address number ``host`` (1, 2, ...) on subnet ``index``."""
    text = f"10.201.{index}.{host}" if family == 4 else f"fd00:201:{index}::{host:x}"
    return str(ipaddress.ip_address(text))


@dataclass(frozen=True, slots=True)
class Segment:
    """One subnet: the node at position i gets host number i + 1.

    Two members are joined by a veth pair. With more, ``bridge`` (one of the members) holds a Linux bridge
    with a veth port to each other member, and its address sits on the bridge."""

    index: int
    members: tuple[str, ...]
    bridge: str | None = None

    def host(self, node: str) -> int:
        if node not in self.members:
            raise ValueError(f"{node} is not on segment {self.index}")
        return self.members.index(node) + 1

    def address(self, node: str, family: Family) -> str:
        return host_address(self.index, self.host(node), family)

    def dev(self, node: str) -> str:
        """The interface inside ``node``'s namespace that carries this segment's address."""
        if self.bridge is None:
            (other,) = (member for member in self.members if member != node)
            return f"to-{other}"
        return f"br{self.index}" if node == self.bridge else f"to-{self.bridge}"


SEGMENTS = (
    Segment(0, ("r1", "src")),
    Segment(1, ("r1", "r2a")),
    Segment(2, ("r1", "r2b")),
    Segment(3, ("r2a", "r3", "r2b"), bridge="r3"),
    Segment(4, ("r3", "r4")),
    Segment(5, ("r4", "dst")),
)


def segment(a: str, b: str) -> Segment:
    for candidate in SEGMENTS:
        if a in candidate.members and b in candidate.members:
            return candidate
    raise KeyError(f"no segment joins {a} and {b}")


def segments_of(node: str) -> tuple[Segment, ...]:
    return tuple(candidate for candidate in SEGMENTS if node in candidate.members)


UPSTREAM = {"r1": "src", "r2a": "r1", "r2b": "r1", "r3": "r2a", "r4": "r3", "dst": "r4"}
"""Where each node sends traffic back towards src: one next hop, so the ICMP errors a router sends leave by
one known interface. r3 answers via r2a even for probes that came through r2b (an asymmetric return path,
as on the Internet); its address on the bridged segment is the same either way."""

DOWNSTREAM: dict[str, tuple[str, ...]] = {
    "r1": ("r2a", "r2b"),
    "r2a": ("r3",),
    "r2b": ("r3",),
    "r3": ("r4",),
}
"""Next hops towards dst and the unreachable subnets; two of them make an ECMP (multipath) route."""


def hop_address(node: str, family: Family) -> str:
    """The address a node answers from: its interface towards src (for src: its only address)."""
    if node == "src":
        return segment("src", "r1").address("src", family)
    return segment(node, UPSTREAM[node]).address(node, family)


def _via(node: str, nxt: str, family: Family) -> str:
    shared = segment(node, nxt)
    return f"via {shared.address(nxt, family)} dev {shared.dev(node)}"


def routes(node: str, family: Family) -> list[str]:
    """``ip route add`` arguments (without ``add``) for one node; connected subnets come for free."""
    if node in HOSTS:
        return [f"{AGGREGATE[family]} {_via(node, UPSTREAM.get(node, 'r1'), family)}"]
    connected = {candidate.index for candidate in segments_of(node)}
    upstream_side = _upstream_subnets(node)
    result: list[str] = []
    for candidate in SEGMENTS:
        if candidate.index in connected:
            continue
        if candidate.index in upstream_side:
            result.append(f"{subnet(candidate.index, family)} {_via(node, UPSTREAM[node], family)}")
        elif node in DOWNSTREAM:
            result.append(f"{subnet(candidate.index, family)} {_downstream_via(node, family)}")
    if node in DOWNSTREAM:
        via = _downstream_via(node, family)
        result.extend(f"{subnet(special, family)} {via}" for special in UNREACHABLE_INDEXES)
    if node == "r4":
        result.extend(_r4_unreachable_routes(family))
    return result


def _r4_unreachable_routes(family: Family) -> list[str]:
    # IPv4 routing errors (no route, ``unreachable`` routes) are rate limited by net.ipv4.route.error_cost,
    # a host-wide sysctl (1 per second per source): the lab leaves the host alone, so IPv4 puts both
    # subnets on the dst segment and r4 REJECTs them in FORWARD (see V4_UNREACHABLE_REJECTS).
    # IPv6: no route at all gives "no route" (!N) at once; the !H subnet sits on the dst segment where
    # nobody answers neighbour discovery, so r4 answers "address unreachable" (!H) when it gives up.
    on_dst = segment("r4", "dst").dev("r4")
    if family == 4:
        return [f"{subnet(index, 4)} dev {on_dst}" for index in UNREACHABLE_INDEXES]
    return [f"{subnet(HOST_UNREACHABLE_INDEX, 6)} dev {on_dst}"]


V4_UNREACHABLE_REJECTS = {
    NET_UNREACHABLE_INDEX: "icmp-net-unreachable",
    HOST_UNREACHABLE_INDEX: "icmp-host-unreachable",
}
"""iptables REJECT types r4 uses in FORWARD for the IPv4 unreachable subnets."""


@dataclass(frozen=True, slots=True)
class Unreachable:
    """What a trace to one of the unreachable subnets shows: the usual routers below ``ttl``, then r4
    (``responder``) with ``annotation`` at ``ttl``."""

    address: str
    annotation: str
    ttl: int
    responder: str


def unreachable(family: Family, annotation: str) -> Unreachable:
    """The lab's ``!N`` or ``!H`` case for ``family``."""
    index = {"!N": NET_UNREACHABLE_INDEX, "!H": HOST_UNREACHABLE_INDEX}[annotation]
    # A REJECT in FORWARD and a neighbour-discovery failure come after the TTL check: the probe expiring
    # at r4 still gets a time-exceeded and the next TTL gets the error. A missing route is found before.
    ttl = 4 if (family, annotation) == (6, "!N") else 5
    return Unreachable(host_address(index, 1, family), annotation, ttl, hop_address("r4", family))


def _upstream_subnets(node: str) -> set[int]:
    """Subnets reached through ``node``'s upstream neighbour (those on src's side of it)."""
    found: set[int] = set()
    current = node
    while current in UPSTREAM:
        current = UPSTREAM[current]
        found.update(candidate.index for candidate in segments_of(current))
    return found - {candidate.index for candidate in segments_of(node)}


def _downstream_via(node: str, family: Family) -> str:
    hops = DOWNSTREAM[node]
    if len(hops) == 1:
        return _via(node, hops[0], family)
    return " ".join(f"nexthop {_via(node, nxt, family)}" for nxt in hops)


ECMP_TTL = 2
PATH: tuple[tuple[str, ...], ...] = (("r1",), ("r2a", "r2b"), ("r3",), ("r4",), ("dst",))
"""Who answers at TTL 1, 2, ...: the forward path from src to dst."""


def expected_hops(family: Family, *, branch: str | None = None, to: str = "dst") -> list[frozenset[str]]:
    """Addresses expected per TTL (index 0 is TTL 1). ``branch`` ("r2a"/"r2b") keeps one ECMP branch;
    ``to`` ends the list at that node."""
    result: list[frozenset[str]] = []
    for nodes in PATH:
        chosen = [n for n in nodes if branch is None or len(nodes) == 1 or n == branch]
        result.append(frozenset(hop_address(n, family) for n in chosen))
        if to in nodes:
            break
    return result


def target_address(family: Family) -> str:
    return hop_address("dst", family)


# -- a second topology: a 4-way ECMP stage, then a 2-way diamond (``--mda``'s lab) -------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """A whole topology as data, for labs other than the one above (which keeps its module-level names).

    The same conventions: segment members get host numbers in order, a node answers from its interface
    towards src (``upstream``), routers route src's side back upstream and everything else downstream, over
    all of ``downstream`` at once (an ECMP route) where it names several next hops."""

    segments: tuple[Segment, ...]
    upstream: dict[str, str]
    downstream: dict[str, tuple[str, ...]]
    path: tuple[tuple[str, ...], ...]
    """Who answers at TTL 1, 2, ...: the forward path from src to dst."""

    @property
    def nodes(self) -> tuple[str, ...]:
        return ("src", *self.routers, "dst")

    @property
    def routers(self) -> tuple[str, ...]:
        return tuple(node for nodes in self.path[:-1] for node in nodes)

    def segment(self, a: str, b: str) -> Segment:
        for candidate in self.segments:
            if a in candidate.members and b in candidate.members:
                return candidate
        raise KeyError(f"no segment joins {a} and {b}")

    def segments_of(self, node: str) -> tuple[Segment, ...]:
        return tuple(candidate for candidate in self.segments if node in candidate.members)

    def hop_address(self, node: str, family: Family) -> str:
        if node == "src":
            return self.segment("src", self.path[0][0]).address("src", family)
        return self.segment(node, self.upstream[node]).address(node, family)

    def target(self, family: Family) -> str:
        return self.hop_address("dst", family)

    def hops(self, family: Family) -> list[frozenset[str]]:
        """Addresses expected per TTL (index 0 is TTL 1)."""
        return [frozenset(self.hop_address(node, family) for node in nodes) for nodes in self.path]

    def links(self, family: Family) -> frozenset[tuple[str, str]]:
        """Every (TTL h - 1, TTL h) pair of interfaces that one flow can show: each node of a TTL is linked
        to each node of the next in the plans here (stages that meet again)."""
        hops = self.hops(family)
        return frozenset((a, b) for before, after in itertools.pairwise(hops)
                         for a in before for b in after)

    def ecmp_routers(self) -> tuple[str, ...]:
        return tuple(node for node, nexts in self.downstream.items() if len(nexts) > 1)

    def routes(self, node: str, family: Family) -> list[str]:
        """``ip route add`` arguments (without ``add``) for one node; connected subnets come for free."""
        if node in HOSTS:
            neighbour = self.upstream.get(node, self.path[0][0])
            return [f"{AGGREGATE[family]} {self._via(node, neighbour, family)}"]
        connected = {candidate.index for candidate in self.segments_of(node)}
        upstream_side: set[int] = set()
        current = node
        while current in self.upstream:
            current = self.upstream[current]
            upstream_side.update(candidate.index for candidate in self.segments_of(current))
        result: list[str] = []
        for candidate in self.segments:
            if candidate.index in connected:
                continue
            if candidate.index in upstream_side:
                back = self._via(node, self.upstream[node], family)
                result.append(f"{subnet(candidate.index, family)} {back}")
            elif node in self.downstream:
                nexts = self.downstream[node]
                via = (self._via(node, nexts[0], family) if len(nexts) == 1 else
                       " ".join(f"nexthop {self._via(node, nxt, family)}" for nxt in nexts))
                result.append(f"{subnet(candidate.index, family)} {via}")
        return result

    def _via(self, node: str, nxt: str, family: Family) -> str:
        shared = self.segment(node, nxt)
        return f"via {shared.address(nxt, family)} dev {shared.dev(node)}"


_R2 = ("r2a", "r2b", "r2c", "r2d")
FOUR_TWO = Plan(
    segments=(
        Segment(20, ("r1", "src")),
        *(Segment(21 + n, ("r1", r2)) for n, r2 in enumerate(_R2)),
        Segment(25, ("r2a", "r3", "r2b", "r2c", "r2d"), bridge="r3"),
        Segment(26, ("r3", "r4a")),
        Segment(27, ("r3", "r4b")),
        Segment(28, ("r4a", "r5", "r4b"), bridge="r5"),
        Segment(29, ("r5", "dst")),
    ),
    upstream={"r1": "src", **dict.fromkeys(_R2, "r1"), "r3": "r2a", "r4a": "r3", "r4b": "r3", "r5": "r4a",
              "dst": "r5"},
    downstream={"r1": _R2, **dict.fromkeys(_R2, ("r3",)), "r3": ("r4a", "r4b"), "r4a": ("r5",),
                "r4b": ("r5",)},
    path=(("r1",), _R2, ("r3",), ("r4a", "r4b"), ("r5",), ("dst",)),
)
"""src - r1 =4=> r2a|r2b|r2c|r2d -> r3 =2=> r4a|r4b -> r5 - dst: a 4-way ECMP stage that meets again at r3
(a bridge: one address, as r3 of the first lab), then a 2-way diamond that meets at r5 (a bridge too).
Subnets 10.201.20-29.0/24 and fd00:201:20-29::/64, so its addresses cannot be taken for the first lab's.
r1 and r3 hash addresses, protocol and ports (see ``netlab._ecmp_sysctls``). TTL 1 r1, 2 one of the r2s,
3 r3, 4 r4a or r4b, 5 r5, 6 dst: 10 interfaces, 13 links."""
