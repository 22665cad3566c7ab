"""``mpls``: routers that report the MPLS label stack of the probe they dropped (RFC 4950).

Each run of successive TTLs whose responders report labels is one tunnel, one finding: users read a
labelled stretch as one piece of the provider's network (its RTTs often all look like the tunnel's far
end, since replies travel on through the tunnel), not as separate routers to blame. A silent or unlabelled
hop ends a run.
"""

from __future__ import annotations

from tuitrace.diagnose.finding import Evidence, Finding, Kind, Severity
from tuitrace.stats.snapshot import HopSnapshot, TraceSnapshot


def _labelled(hop: HopSnapshot) -> bool:
    return any(r.mpls for r in hop.responders)


def _stack(hop: HopSnapshot) -> str:
    """``24017/16`` for each labelled responder of ``hop`` (outermost label first)."""
    return ",".join("/".join(str(m.label) for m in r.mpls) for r in hop.responders if r.mpls)


def mpls(snapshot: TraceSnapshot) -> tuple[Finding, ...]:
    runs: list[list[HopSnapshot]] = []
    previous: int | None = None
    for hop in snapshot.hops:
        if not _labelled(hop):
            previous = None
            continue
        if previous is not None and hop.ttl == previous + 1:
            runs[-1].append(hop)
        else:
            runs.append([hop])
        previous = hop.ttl
    findings: list[Finding] = []
    for run in runs:
        first, last = run[0], run[-1]
        entry = next(r for r in first.responders if r.mpls)
        routers = ", ".join(r.address for h in run for r in h.responders if r.mpls)
        span = f"hop {first.ttl}" if first is last else f"hops {first.ttl} to {last.ttl}"
        text = (f"MPLS tunnel at {span}: {routers} report their label stacks (RFC 4950); the RTTs inside "
                f"a tunnel often show the tunnel's far end, not each router.")
        evidence = (
            Evidence("first_ttl", first.ttl),
            Evidence("last_ttl", last.ttl),
            Evidence("hops", len(run)),
            Evidence("labels", " ".join(f"{h.ttl}:{_stack(h)}" for h in run)),
        )
        findings.append(Finding(Kind.MPLS, first.ttl, entry.address, Severity.INFO, text, evidence))
    return tuple(findings)
