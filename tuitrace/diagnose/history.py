"""Findings read off the run's events rather than its totals: a route that changed under a fixed flow.

With a fixed flow (ICMP, fixed-port UDP, TCP) every probe takes the same ECMP branch, so a different
responder at a hop means the route itself changed; the timeline's ``path_change`` events already need the
new responder twice in a row. With classic UDP (a new flow per probe) several responders per hop are
expected and nothing is said. Only events since the last setting event count: they belong to this trace's
protocol and port (a change of sendwait or interval also starts the count afresh, which can only hide a
change, never invent one).
"""

from __future__ import annotations

from collections.abc import Sequence

from tuitrace.diagnose.finding import Evidence, Finding, Kind, Severity
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Event, EventKind


def _since_setting(events: Sequence[Event]) -> list[Event]:
    for i in range(len(events) - 1, -1, -1):
        if events[i].kind is EventKind.SETTING:
            return list(events[i + 1:])
    return list(events)


def path_change(snapshot: TraceSnapshot, events: Sequence[Event]) -> tuple[Finding, ...]:
    """One finding per hop whose responder changed, with how often and the latest change."""
    if not snapshot.setting.fixed_flow:
        return ()
    by_ttl: dict[int, list[Event]] = {}
    for event in _since_setting(events):
        if event.kind is EventKind.PATH_CHANGE and event.ttl is not None:
            by_ttl.setdefault(event.ttl, []).append(event)
    findings: list[Finding] = []
    for ttl in sorted(by_ttl):
        changes = by_ttl[ttl]
        latest = changes[-1]
        times = "once" if len(changes) == 1 else f"{len(changes)} times"
        text = (
            f"The route changed at hop {ttl} {times} during the run with {snapshot.setting.label} "
            f"(a fixed flow); the latest change, at +{latest.t_s:.1f} s: {latest.text}"
        )
        evidence = (
            Evidence("changes", len(changes)),
            Evidence("first_t_s", changes[0].t_s),
            Evidence("latest_t_s", latest.t_s),
            Evidence("latest_time", latest.time),
            Evidence("latest_address", latest.address or ""),
        )
        findings.append(Finding(Kind.PATH_CHANGE, ttl, latest.address, Severity.WARNING, text, evidence))
    return tuple(findings)
