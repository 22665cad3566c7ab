"""Run and read Debian's ``traceroute`` and ``mtr --report``: the reference tools tuitrace is checked against.

The lab proves itself with these tools before tuitrace is involved, and the tuitrace tests compare their
answers with them; parsing their text output lives here so both can share it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

TRACEROUTE_METHOD = {"icmp": ["-I"], "udp": [], "udp-fixed": ["-U"], "tcp": ["-T"]}
"""traceroute's options per probe kind: "udp" is the classic one port per probe (33434 + n)."""


@dataclass(slots=True)
class Responder:
    address: str
    replies: int = 0
    annotations: set[str] = field(default_factory=set)


@dataclass(slots=True)
class TracerouteHop:
    ttl: int
    responders: dict[str, Responder] = field(default_factory=dict)
    stars: int = 0

    @property
    def addresses(self) -> frozenset[str]:
        return frozenset(self.responders)

    @property
    def annotations(self) -> set[str]:
        return {mark for responder in self.responders.values() for mark in responder.annotations}


def _is_address(token: str) -> bool:
    try:
        ipaddress.ip_address(token)
    except ValueError:
        return False
    return True


_FLOAT = re.compile(r"^\d+(\.\d+)?$")


def parse_traceroute(text: str) -> list[TracerouteHop]:
    """Hops of ``traceroute -n`` output, in TTL order; annotations (``!N``, ``!X``...) go to the responder
    whose reply carried them."""
    hops: list[TracerouteHop] = []
    for line in text.splitlines():
        tokens = line.split()
        if not tokens or not tokens[0].isdigit():
            continue
        hop = TracerouteHop(int(tokens[0]))
        current: Responder | None = None
        for token in tokens[1:]:
            if token == "*":
                hop.stars += 1
            elif _is_address(token):
                current = hop.responders.setdefault(token, Responder(token))
            elif _FLOAT.match(token) and current is not None:
                current.replies += 1
            elif token.startswith("!") and current is not None:
                current.annotations.add(token)
        hops.append(hop)
    return hops


def traceroute_argv(
    family: int, method: str, target: str, *, queries: int = 3, port: int | None = None,
    sport: int | None = None, max_hops: int = 8, wait: float = 1.0,
) -> list[str]:
    argv = ["traceroute", "-n", f"-{family}", *TRACEROUTE_METHOD[method], "-q", str(queries),
            "-m", str(max_hops), "-w", str(wait)]
    if port is not None:
        argv += ["-p", str(port)]
    if sport is not None:
        argv.append(f"--sport={sport}")
    return [*argv, target]


@dataclass(frozen=True, slots=True)
class MtrHop:
    ttl: int
    addresses: tuple[str, ...]
    """The first line's address, then the extra ECMP responders mtr lists below it; empty for ``???``."""
    loss_pct: float
    sent: int


_MTR_HOP = re.compile(r"^\s*(\d+)\.\|--\s+(\S+)\s+([\d.]+)%?\s+(\d+)")
"""A hop line; at 100 % loss the column is too narrow for the percent sign."""
_MTR_MORE = re.compile(r"^\s+(\S+)\s*$")
"""mtr lists further responders of a hop alone on the following lines, indented."""


def parse_mtr_report(text: str) -> list[MtrHop]:
    """Hops of ``mtr --report -n`` (``-b``/``-z`` not used)."""
    rows: list[tuple[int, list[str], float, int]] = []
    for line in text.splitlines():
        if match := _MTR_HOP.match(line):
            found = [] if match[2] == "???" else [match[2]]
            rows.append((int(match[1]), found, float(match[3]), int(match[4])))
        elif (more := _MTR_MORE.match(line)) and rows and _is_address(more[1]):
            rows[-1][1].append(more[1])
    return [MtrHop(ttl, tuple(addresses), loss, sent) for ttl, addresses, loss, sent in rows]
