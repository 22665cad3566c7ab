"""``diagnose``: every rule over one snapshot (and the run's events), most severe first, then in TTL order."""

from __future__ import annotations

from collections.abc import Sequence

from tuitrace.diagnose.finding import Finding
from tuitrace.diagnose.history import path_change
from tuitrace.diagnose.loss import forward_loss, reply_loss_only
from tuitrace.diagnose.middlebox import middlebox_answer
from tuitrace.diagnose.mpls import mpls
from tuitrace.diagnose.path import blocked, destination_silent, return_asymmetry, routing_loop
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Event

RULES = (forward_loss, reply_loss_only, blocked, middlebox_answer, routing_loop, return_asymmetry,
         destination_silent, mpls)
"""The rules that read the snapshot alone."""


def diagnose(snapshot: TraceSnapshot, events: Sequence[Event] = ()) -> tuple[Finding, ...]:
    findings = [finding for rule in RULES for finding in rule(snapshot)]
    findings += path_change(snapshot, events)
    findings.sort(key=lambda f: (-f.severity.rank, f.ttl if f.ttl is not None else 0))
    return tuple(findings)
