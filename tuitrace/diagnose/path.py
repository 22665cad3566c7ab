"""Findings read off the path's shape and marks: where probes are stopped, loops, the return path's
length, and a UDP destination that stays silent. Each is decided from what the snapshot holds, no I/O."""

from __future__ import annotations

from tuitrace.config import Protocol
from tuitrace.diagnose.finding import Evidence, Finding, Kind, Severity
from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, TraceSnapshot

CODE_MEANINGS = {
    "!X": "administratively prohibited",
    "!H": "rejected as host unreachable",
    "!N": "rejected as network unreachable",
    "!P": "rejected as protocol unreachable",
    "!S": "rejected (source route failed or source isolated)",
    "!V": "rejected (host precedence violation)",
    "!C": "rejected (precedence cutoff)",
}
"""What traceroute's marks mean, as the end of "<protocol/port> is ... by <router>"."""

INITIAL_TTLS = (64, 128, 255)
"""The initial TTLs hosts and routers use; a reply's is guessed as the smallest not below what arrived."""
ASYMMETRY_HOPS = 3
"""Return path longer or shorter than the forward path by at least this many hops is a finding. One or two
are common on symmetric paths (another exit interface, a hop that does not decrement), so not flagged."""
LOOP_REPEATS = 2
"""A cycle of responders must repeat at least this many times over successive TTLs to be a loop."""
SILENT_PROBES = 3
"""Probes that must have gone unanswered past the last answering hop before calling the destination
silent, so the start of a run is not mistaken for it."""


def destination_hop(snapshot: TraceSnapshot) -> HopSnapshot | None:
    """The hop at which the destination itself answered, if it did."""
    for hop in snapshot.hops:
        if any(r.is_target for r in hop.responders):
            return hop
    return None


def primary_address(hop: HopSnapshot) -> str | None:
    """The responder that answered most at ``hop``; ``None`` for a silent hop."""
    if not hop.responders:
        return None
    return max(hop.responders, key=lambda r: r.received).address


def describe_code(mark: str) -> str:
    if mark.startswith("!F-"):
        return f"too big for the next link (fragmentation needed, MTU {mark[3:]})"
    return CODE_MEANINGS.get(mark, f"rejected with ICMP code {mark[1:]}")


def blocked(snapshot: TraceSnapshot) -> tuple[Finding, ...]:
    label = snapshot.setting.label
    findings: list[Finding] = []
    for hop in snapshot.hops:
        for responder in hop.responders:
            for mark in responder.annotations:
                if not mark.startswith("!"):  # F=<mtu> (--mtu) says where the path MTU drops: no rejection
                    continue
                text = f"{label} is {describe_code(mark)} by {responder.address} at hop {hop.ttl}."
                evidence = (
                    Evidence("code", mark),
                    Evidence("received", responder.received),
                    Evidence("sent", hop.sent),
                    Evidence("protocol", snapshot.setting.protocol.value),
                    Evidence("port", "" if snapshot.port is None else snapshot.port),
                )
                findings.append(Finding(Kind.BLOCKED, hop.ttl, responder.address, Severity.PROBLEM, text,
                                        evidence))
    return tuple(findings)


def routing_loop(snapshot: TraceSnapshot) -> tuple[Finding, ...]:
    """The responders at successive TTLs repeat in a cycle of two or more addresses, ``LOOP_REPEATS``
    times or more, and the destination never answered."""
    if destination_hop(snapshot) is not None:
        return ()
    addresses = [primary_address(h) for h in snapshot.hops]
    for start in range(len(addresses)):
        for period in range(2, (len(addresses) - start) // LOOP_REPEATS + 1):
            cycle = addresses[start:start + period]
            if None in cycle or len(set(cycle)) != period:
                continue
            span = start + period
            while span < len(addresses) and addresses[span] == addresses[span - period]:
                span += 1
            repeats = (span - start) / period
            if repeats < LOOP_REPEATS:
                continue
            loop = [a for a in cycle if a is not None]
            ttl = snapshot.hops[start].ttl
            text = (
                f"Routing loop: {', '.join(loop)} repeat in a cycle from hop {ttl} and the destination "
                f"{snapshot.target} is never reached."
            )
            evidence = (
                Evidence("addresses", " ".join(loop)),
                Evidence("first_ttl", ttl),
                Evidence("last_ttl", snapshot.hops[span - 1].ttl),
                Evidence("repeats", round(repeats, 1)),
            )
            return (Finding(Kind.ROUTING_LOOP, ttl, loop[0], Severity.PROBLEM, text, evidence),)
    return ()


def return_hops(reply_ttl: int) -> tuple[int, int]:
    """The guessed initial TTL and the hops the reply crossed: a reply sent by a host ``d`` hops away
    crossed ``d - 1`` routers, each taking one off, so ``initial - reply_ttl + 1`` equals ``d`` on a
    symmetric path, directly comparable with the forward hop count (the TTL)."""
    initial = next((t for t in INITIAL_TTLS if t >= reply_ttl), INITIAL_TTLS[-1])
    return initial, initial - reply_ttl + 1


def _single(hop: HopSnapshot) -> ResponderSnapshot | None:
    return hop.responders[0] if len(hop.responders) == 1 else None


def _loop_repeats_from(snapshot: TraceSnapshot) -> int | None:
    """The first TTL at which a routing loop shows a responder again, or ``None`` without a loop."""
    for finding in routing_loop(snapshot):
        first, addresses = finding.value("first_ttl"), str(finding.value("addresses")).split()
        return int(first) + len(addresses)
    return None


def return_asymmetry(snapshot: TraceSnapshot) -> tuple[Finding, ...]:
    """At most one finding: the destination when its return path differs, else the first router whose
    does. ECMP hops (several responders) are not judged, nor the repeats of a routing loop: a router met
    again at a higher TTL answers over its own short return path, which says nothing about asymmetry."""
    end = destination_hop(snapshot)
    repeats_from = _loop_repeats_from(snapshot)
    candidates = [end] if end is not None else []
    candidates += [h for h in snapshot.hops
                   if h is not end and (repeats_from is None or h.ttl < repeats_from)]
    for hop in candidates:
        responder = _single(hop)
        if responder is None or responder.reply_ttl is None or responder.reply_ttl <= 0:
            continue
        initial, back = return_hops(responder.reply_ttl)
        difference = back - hop.ttl
        if abs(difference) < ASYMMETRY_HOPS:
            continue
        longer = "longer" if difference > 0 else "shorter"
        text = (
            f"Replies from {responder.address} at hop {hop.ttl} arrive with TTL {responder.reply_ttl}, about "
            f"{back} hops back from an initial TTL of {initial}: the return path is {abs(difference)} hops "
            f"{longer} than the forward path."
        )
        evidence = (
            Evidence("forward_hops", hop.ttl),
            Evidence("return_hops", back),
            Evidence("reply_ttl", responder.reply_ttl),
            Evidence("initial_ttl", initial),
            Evidence("threshold_hops", ASYMMETRY_HOPS),
        )
        return (Finding(Kind.RETURN_ASYMMETRY, hop.ttl, responder.address, Severity.INFO, text, evidence),)
    return ()


def destination_silent(snapshot: TraceSnapshot) -> tuple[Finding, ...]:
    """A UDP trace whose destination never answered, no router rejected the probes, the last hop that
    answers is followed only by silence, and enough probes went unanswered there."""
    if snapshot.setting.protocol is not Protocol.UDP or destination_hop(snapshot) is not None:
        return ()
    if any(mark.startswith("!") for h in snapshot.hops for r in h.responders for mark in r.annotations):
        return ()
    answering = [h for h in snapshot.hops if h.received > 0]
    if not answering:
        return ()
    last = answering[-1]
    after = [h for h in snapshot.hops if h.ttl > last.ttl]
    if not after or sum(h.sent for h in after) < SILENT_PROBES:
        return ()
    where = primary_address(last)
    text = (
        f"Nothing answers {snapshot.setting.label} at {snapshot.target} although hop {last.ttl} ({where}) "
        f"does: the port may be open and swallow the probes, not necessarily a broken path (try ICMP or TCP)."
    )
    evidence = (
        Evidence("last_answering_ttl", last.ttl),
        Evidence("unanswered_after", sum(h.sent for h in after)),
        Evidence("port", "" if snapshot.port is None else snapshot.port),
    )
    kind, severity = Kind.DESTINATION_SILENT, Severity.WARNING
    return (Finding(kind, last.ttl + 1, snapshot.target, severity, text, evidence),)
