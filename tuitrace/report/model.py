"""The report of one snapshot as typed values, shared by every renderer, so text, JSON and CSV never disagree.

Each record is a frozen dataclass whose fields are exactly what a report carries: the JSON writes the
records as they are (nested), the CSV flattens the same fields into columns, and the text table prints the
same numbers. A field added here therefore reaches both machine formats, and neither can carry one the
other lacks. Times are milliseconds rounded to the microsecond, percentages to a tenth; ``None`` is
"unknown". The run's events (:mod:`tuitrace.timeline`) are a list of their own beside the hops: JSON has
them as ``events``; the CSV, one row per responder, leaves them out (an event is not a responder).

The findings (:mod:`tuitrace.diagnose`) are a list of their own beside the hops too: not per responder, so
the CSV writes them as a second section (see :mod:`tuitrace.report.csv`), as issue 11 asks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from tuitrace.config import Mode, Protocol, Setting
from tuitrace.diagnose.finding import Finding
from tuitrace.diagnose.middlebox import middlebox_hop
from tuitrace.diagnose.path import return_hops
from tuitrace.diagnose.rules import diagnose
from tuitrace.enrich.info import EMPTY_INFO, EnrichInfo
from tuitrace.probe.mda import MdaResult
from tuitrace.report.flows import FlowReport, PathReport, flow_reports
from tuitrace.report.mda import MdaReport
from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, RttSummary, TraceSnapshot
from tuitrace.timeline.events import Event

Lookup = Callable[[str], EnrichInfo | None]

ROWS = "rows"
"""Field metadata key of a record's children (a trace's hops, a hop's responders): rows, not columns."""


def info_for(lookup: Lookup | None, address: str) -> EnrichInfo:
    if lookup is None:
        return EMPTY_INFO
    return lookup(address) or EMPTY_INFO


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass(frozen=True, slots=True)
class Target:
    host: str
    """What the user typed."""
    address: str


@dataclass(frozen=True, slots=True)
class ResponderReport:
    """One address that answered at a hop, with its own RTTs and what is known about it."""

    address: str
    received: int
    share_pct: float
    last_ms: float | None
    avg_ms: float | None
    best_ms: float | None
    worst_ms: float | None
    stdev_ms: float | None
    jitter_ms: float | None
    jitter_avg_ms: float | None
    jitter_max_ms: float | None
    jitter_interarrival_ms: float | None
    geomean_ms: float | None
    median_ms: float | None
    p95_ms: float | None
    annotations: tuple[str, ...]
    is_target: bool
    reply_ttl: int | None
    back_hops: int | None
    """The return path's length estimated from ``reply_ttl`` (traceroute's ``--back``)."""
    mpls: tuple[MplsReport, ...]
    """The MPLS label stack the responder reported (RFC 4950), outermost first."""
    hostname: str | None
    asn: int | None
    as_name: str | None
    prefix: str | None
    country: str | None
    city: str | None
    label: str | None

    @staticmethod
    def of(responder: ResponderSnapshot, lookup: Lookup | None) -> ResponderReport:
        info = info_for(lookup, responder.address)
        rtt = responder.rtt
        return ResponderReport(
            address=responder.address,
            received=responder.received,
            share_pct=round(responder.share_pct, 1),
            **_rtt_fields(rtt),
            annotations=tuple(responder.annotations),
            is_target=responder.is_target,
            reply_ttl=responder.reply_ttl,
            back_hops=return_hops(responder.reply_ttl)[1] if responder.reply_ttl else None,
            mpls=tuple(MplsReport(m.label, m.tc, m.s, m.ttl) for m in responder.mpls),
            hostname=info.hostname,
            asn=info.asn,
            as_name=info.as_name,
            prefix=info.prefix,
            country=info.country,
            city=info.city,
            label=info.label,
        )


@dataclass(frozen=True, slots=True)
class MplsReport:
    """One label stack entry, as the JSON writes it: ``{"label", "tc", "s", "ttl"}``."""

    label: int
    tc: int
    s: int
    ttl: int

    def __str__(self) -> str:
        """The CSV's form (entries are joined with spaces): ``label=24001,tc=0,s=1,ttl=1``."""
        return f"label={self.label},tc={self.tc},s={self.s},ttl={self.ttl}"


@dataclass(frozen=True, slots=True)
class HopReport:
    """One TTL: the totals of every responder, then each responder (none for a silent hop)."""

    ttl: int
    sent: int
    received: int
    loss_pct: float
    last_ms: float | None
    avg_ms: float | None
    best_ms: float | None
    worst_ms: float | None
    stdev_ms: float | None
    jitter_ms: float | None
    jitter_avg_ms: float | None
    jitter_max_ms: float | None
    jitter_interarrival_ms: float | None
    geomean_ms: float | None
    median_ms: float | None
    p95_ms: float | None
    responders: tuple[ResponderReport, ...] = field(metadata={ROWS: True})

    @staticmethod
    def of(hop: HopSnapshot, lookup: Lookup | None) -> HopReport:
        return HopReport(
            ttl=hop.ttl,
            sent=hop.sent,
            received=hop.received,
            loss_pct=round(hop.loss_pct, 1),
            **_rtt_fields(hop.rtt),
            responders=tuple(ResponderReport.of(r, lookup) for r in hop.responders),
        )


@dataclass(frozen=True, slots=True)
class FindingReport:
    """What the numbers mean (one of :mod:`tuitrace.diagnose`'s findings), with the numbers it rests on."""

    kind: str
    ttl: int | None
    address: str | None
    severity: str
    text: str
    evidence: dict[str, int | float | str]

    @staticmethod
    def of(finding: Finding) -> FindingReport:
        return FindingReport(
            kind=finding.kind.value,
            ttl=finding.ttl,
            address=finding.address,
            severity=finding.severity.value,
            text=finding.text,
            evidence={item.name: item.value for item in finding.evidence},
        )


@dataclass(frozen=True, slots=True)
class TraceReport:
    """The run: where to, how, how far it got, and its hops in TTL order."""

    target: Target
    family: int
    protocol: Protocol
    port: int | None
    mode: Mode
    rounds: int
    interval_s: float
    sendwait_s: float
    reached: bool
    path_length: int | None
    probes_sent: int
    dropped: int
    hops: tuple[HopReport, ...] = field(metadata={ROWS: True})
    events: tuple[Event, ...] = field(default=(), metadata={ROWS: True})
    """What happened during the run, oldest first."""
    findings: tuple[FindingReport, ...] = field(default=(), metadata={ROWS: True})
    echo_sent: int | None = None
    """TCP traces: ICMP echo requests sent to the destination for the TTL check (never in a hop)."""
    echo_received: int | None = None
    flows: tuple[FlowReport, ...] = field(default=(), metadata={ROWS: True})
    """``--flows``: every flow (:mod:`tuitrace.report.flows`); empty otherwise, and left out of the JSON."""
    paths: tuple[PathReport, ...] = field(default=(), metadata={ROWS: True})
    """``--flows``: the distinct paths the flows took."""
    mda: MdaReport | None = field(default=None, metadata={ROWS: True})
    """``--mda``: what discovery found (:mod:`tuitrace.report.mda`); left out of the JSON otherwise."""

    @property
    def setting(self) -> Setting:
        return Setting(self.protocol, self.port)


class _RttFields(TypedDict):
    """The RTT fields that a hop and a responder both carry, in their order."""

    last_ms: float | None
    avg_ms: float | None
    best_ms: float | None
    worst_ms: float | None
    stdev_ms: float | None
    jitter_ms: float | None
    jitter_avg_ms: float | None
    jitter_max_ms: float | None
    jitter_interarrival_ms: float | None
    geomean_ms: float | None
    median_ms: float | None
    p95_ms: float | None


def _rtt_fields(rtt: RttSummary) -> _RttFields:
    return {
        "last_ms": _ms(rtt.last_ms),
        "avg_ms": _ms(rtt.avg_ms),
        "best_ms": _ms(rtt.best_ms),
        "worst_ms": _ms(rtt.worst_ms),
        "stdev_ms": _ms(rtt.stdev_ms),
        "jitter_ms": _ms(rtt.jitter_ms),
        "jitter_avg_ms": _ms(rtt.jitter_avg_ms),
        "jitter_max_ms": _ms(rtt.jitter_max_ms),
        "jitter_interarrival_ms": _ms(rtt.jitter_interarrival_ms),
        "geomean_ms": _ms(rtt.geomean_ms),
        "median_ms": _ms(rtt.median_ms),
        "p95_ms": _ms(rtt.p95_ms),
    }


def build_report(
    snapshot: TraceSnapshot,
    lookup: Lookup | None = None,
    events: Sequence[Event] = (),
    flows: FlowsSnapshot | None = None,
    mda: MdaResult | None = None,
) -> TraceReport:
    findings = diagnose(snapshot, events)
    flow_records, path_records = flow_reports(flows) if flows is not None else ((), ())
    return TraceReport(
        target=Target(host=snapshot.host, address=snapshot.target),
        family=snapshot.family,
        protocol=snapshot.setting.protocol,
        port=snapshot.setting.port,
        mode=snapshot.mode,
        rounds=snapshot.rounds,
        interval_s=snapshot.interval,
        sendwait_s=snapshot.sendwait,
        reached=snapshot.reached and middlebox_hop(findings) is None,
        path_length=snapshot.path_length,
        probes_sent=snapshot.probes_sent,
        dropped=snapshot.dropped,
        hops=tuple(HopReport.of(h, lookup) for h in snapshot.hops),
        events=tuple(events),
        findings=tuple(FindingReport.of(f) for f in findings),
        echo_sent=None if snapshot.ttl_check is None else snapshot.ttl_check.echo_sent,
        echo_received=None if snapshot.ttl_check is None else snapshot.ttl_check.echo_received,
        flows=flow_records,
        paths=path_records,
        mda=MdaReport.of(mda) if mda is not None else None,
    )
