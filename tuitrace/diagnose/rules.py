"""``diagnose``: every rule over one snapshot, most severe first, then in TTL order."""

from __future__ import annotations

from tuitrace.diagnose.finding import Finding
from tuitrace.diagnose.loss import forward_loss, reply_loss_only
from tuitrace.diagnose.path import blocked, destination_silent, return_asymmetry, routing_loop
from tuitrace.stats.snapshot import TraceSnapshot

RULES = (forward_loss, reply_loss_only, blocked, routing_loop, return_asymmetry, destination_silent)


def diagnose(snapshot: TraceSnapshot) -> tuple[Finding, ...]:
    findings = [finding for rule in RULES for finding in rule(snapshot)]
    findings.sort(key=lambda f: (-f.severity.rank, f.ttl if f.ttl is not None else 0))
    return tuple(findings)
