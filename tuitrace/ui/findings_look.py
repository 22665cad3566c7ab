"""How findings look on screen, defined once: a text marker per kind and a style per severity.

The markers are words in brackets, so a finding stays legible without colour (``NO_COLOR``, a monochrome
terminal, a screenshot pasted as text); the styles only add emphasis. The header line, the row markers
and the findings list all take their look from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tuitrace.diagnose.finding import Finding, Kind, Severity

MARKERS: dict[Kind, str] = {
    Kind.FORWARD_LOSS: "[loss]",
    Kind.REPLY_LOSS_ONLY: "[ratelimit]",
    Kind.BLOCKED: "[blocked]",
    Kind.ROUTING_LOOP: "[loop]",
    Kind.RETURN_ASYMMETRY: "[asym]",
    Kind.DESTINATION_SILENT: "[silent]",
    Kind.PATH_CHANGE: "[route]",
    Kind.MIDDLEBOX_ANSWER: "[middlebox]",
    Kind.MPLS: "[mpls]",
    Kind.PROTOCOL_DIVERGENCE: "[diverge]",
}
"""The short marker a finding puts in the row of its hop."""

SEVERITY_STYLES: dict[Severity, str] = {
    Severity.PROBLEM: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.INFO: "cyan",
}
"""Rich styles by severity; without colour the bold and the marker words remain."""

SEVERITY_WORDS: dict[Severity, str] = {
    Severity.PROBLEM: "PROBLEM",
    Severity.WARNING: "WARNING",
    Severity.INFO: "info",
}


def marker(kind: Kind) -> str:
    return MARKERS.get(kind, f"[{kind.value}]")


def hop_marks(findings: Iterable[Finding]) -> dict[int, tuple[str, Severity]]:
    """Per TTL: the markers of its findings (most severe first, each kind once) and the worst severity."""
    by_ttl: dict[int, list[Finding]] = {}
    for finding in findings:
        if finding.ttl is not None:
            by_ttl.setdefault(finding.ttl, []).append(finding)
    marks: dict[int, tuple[str, Severity]] = {}
    for ttl, found in by_ttl.items():
        found.sort(key=lambda f: -f.severity.rank)
        words = list(dict.fromkeys(marker(f.kind) for f in found))
        marks[ttl] = (" ".join(words), found[0].severity)
    return marks


def headline(findings: Sequence[Finding]) -> str:
    """The header's line: the most severe finding (they come sorted), plus how many more there are."""
    if not findings:
        return ""
    first = findings[0]
    more = f"  (+{len(findings) - 1} more, F lists them)" if len(findings) > 1 else "  (F: details)"
    return f"{SEVERITY_WORDS[first.severity]} {marker(first.kind)} {first.text}{more}"
