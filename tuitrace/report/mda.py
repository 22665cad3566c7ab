"""The ``--mda`` part of a report: what discovery found per hop, with its confidence and probe count.

JSON: ``"mda": {"confidence": 95, "probes": N, "reached", "complete", "flows", "hops": [{"ttl",
"interfaces", "links", "probes"}]}`` where ``probes`` counts the discovery alone and a silent interface is
``null``; the text report adds an "MDA" block. Only a run with ``--mda`` has it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuitrace.probe.mda import MdaResult


@dataclass(frozen=True, slots=True)
class MdaHopReport:
    ttl: int
    interfaces: tuple[str | None, ...]
    links: tuple[tuple[str | None, str | None], ...]
    probes: int


@dataclass(frozen=True, slots=True)
class MdaReport:
    confidence: int
    probes: int
    reached: bool
    complete: bool
    """False when the flow budget or the largest TTL ran out before the rule held everywhere."""
    flows: int
    hops: tuple[MdaHopReport, ...]

    @staticmethod
    def of(result: MdaResult) -> MdaReport:
        hops = tuple(MdaHopReport(h.ttl, h.interfaces, h.links, h.probes) for h in result.hops)
        return MdaReport(result.confidence, result.probes, result.reached, result.complete, result.flows_used,
                         hops)


def mda_text(report: MdaReport | None) -> list[str]:
    """The "MDA" block of the text report (after a blank line); none without ``--mda``."""
    if report is None:
        return []
    state = "complete" if report.complete else "INCOMPLETE (flow budget or max hops ran out)"
    lines = ["", f"MDA at {report.confidence}% confidence per interface: {report.probes} probes, "
             f"{report.flows} flows, {state}"]
    for hop in report.hops:
        interfaces = ", ".join(address or "*" for address in hop.interfaces)
        lines.append(f"  {hop.ttl:>3}. {interfaces}  ({hop.probes} probes)")
        lines.extend(f"         {a or '*'} -> {b or '*'}" for a, b in hop.links if len(hop.links) > 1)
    return lines
