"""scamper's ``tracelb`` (MDA) in the lab, read back as per-TTL interfaces and links, to compare ``--mda``
with (the lab test of agreement and ``bench/mda.py``).

scamper's JSON lists nodes and, per node, the probes that found each next hop; every probe carries its TTL
and flow id. The interfaces of a TTL are the responders to probes with that TTL (the first hop is the
first node, which tracelb finds with one probe); a link joins the responders of one flow at two
consecutive TTLs, or the one interface of the TTL before when that flow was not probed there.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from tests.lab.netlab import Lab

METHODS = {"udp": "udp-dport", "tcp": "tcp-sport", "icmp": "icmp-echo"}
"""tracelb's probe method for each of our protocols (both vary what the lab's routers hash)."""


@dataclass(frozen=True, slots=True)
class Discovered:
    interfaces: dict[int, frozenset[str | None]]
    links: frozenset[tuple[str | None, str | None]]
    probes: int
    seconds: float


def tracelb(lab: Lab, target: str, protocol: str, confidence: int = 95) -> Discovered:
    """Run ``scamper -c "tracelb ..."`` in src: 1 s to wait for an answer, 150 ms between probes (its
    smallest wait between probes)."""
    command = f"tracelb -P {METHODS[protocol]} -c {confidence} -w 1 -W 15"
    started = time.monotonic()
    done = lab.run("src", ["scamper", "-O", "json", "-c", command, "-i", target], timeout=300, check=True)
    seconds = time.monotonic() - started
    for line in done.stdout.splitlines():
        record = json.loads(line)
        if record.get("type") == "tracelb":
            return _read(record, seconds)
    raise AssertionError(f"scamper gave no tracelb record: {done.stdout[:500]} {done.stderr[:500]}")


def _read(record: dict[str, object], seconds: float) -> Discovered:
    at: dict[int, set[str | None]] = {}
    flows: dict[int, dict[int, str | None]] = {}
    nodes = record.get("nodes") or []
    assert isinstance(nodes, list)
    first = nodes[0]["addr"] if nodes else None
    first_ttl = int(nodes[0].get("q_ttl", 1)) if nodes else 1
    if first is not None:
        at[first_ttl] = {first}
    for node in nodes:
        for link in node.get("links", []):
            for hop in link:
                address = hop.get("addr")
                for probe in hop.get("probes", []):
                    if not probe.get("replies"):
                        continue
                    ttl = int(probe["ttl"])
                    at.setdefault(ttl, set()).add(address)
                    flows.setdefault(int(probe["flowid"]), {})[ttl] = address
    links: set[tuple[str | None, str | None]] = set()
    for route in flows.values():
        for ttl, address in route.items():
            if ttl - 1 in route:
                links.add((route[ttl - 1], address))
            elif len(at.get(ttl - 1, ())) == 1:
                (before,) = at[ttl - 1]
                links.add((before, address))
    return Discovered({ttl: frozenset(found) for ttl, found in at.items()}, frozenset(links),
                      int(str(record.get("probec", 0))), seconds)


def from_report(mda: dict[str, object], seconds: float = 0.0) -> Discovered:
    """The same view of tuitrace's JSON ``mda`` section."""
    hops = mda["hops"]
    assert isinstance(hops, list)
    interfaces = {int(hop["ttl"]): frozenset(hop["interfaces"]) for hop in hops}
    links = frozenset((a, b) for hop in hops for a, b in hop["links"])
    return Discovered(interfaces, links, int(str(mda["probes"])), seconds)
