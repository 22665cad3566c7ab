"""The mtr-style text report: one line per hop, one more per extra responder (ECMP), annotations inline;
then a "Findings" block (what the numbers mean, most severe first) and an "Events" block (one line per
event, oldest first), each only when there is any."""

from __future__ import annotations

from collections.abc import Sequence

from tuitrace.probe.mda import MdaResult
from tuitrace.report.flows import flows_text
from tuitrace.report.mda import mda_text
from tuitrace.report.model import FindingReport, HopReport, Lookup, ResponderReport, TraceReport, build_report
from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Event

HOST_WIDTH = 40
FINDINGS_HEADING = "Findings"


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def responder_label(responder: ResponderReport, numeric: bool) -> str:
    name = responder.address
    if not numeric and responder.hostname:
        name = f"{responder.hostname} ({responder.address})"
    extras = [*responder.annotations]
    if responder.asn is not None:
        extras.insert(0, f"AS{responder.asn}")
    return " ".join([name, *extras])


def _rtt_cells(row: HopReport | ResponderReport) -> str:
    cells = (row.last_ms, row.avg_ms, row.best_ms, row.worst_ms, row.stdev_ms, row.jitter_avg_ms)
    return "".join(f"{_num(v):>7}" for v in cells)


def _hop_lines(hop: HopReport, numeric: bool) -> list[str]:
    """A single responder shares the hop's line; several (ECMP) get a line each under the hop's totals."""
    ecmp = len(hop.responders) > 1
    if ecmp:
        first = f"{len(hop.responders)} responders"
    else:
        first = responder_label(hop.responders[0], numeric) if hop.responders else "???"
    lines = [f"{hop.ttl:>3}. {first:<{HOST_WIDTH}} {hop.loss_pct:>5.1f}% {hop.sent:>5}{_rtt_cells(hop)}"]
    if ecmp:
        for responder in hop.responders:
            label = responder_label(responder, numeric)
            share = f"{responder.received}/{hop.received}"
            lines.append(f"     {label:<{HOST_WIDTH - 1}} {share:>13}{_rtt_cells(responder)}")
            lines += mpls_lines(responder)
    elif hop.responders:
        lines += mpls_lines(hop.responders[0])
    return lines


def mpls_lines(responder: ResponderReport) -> list[str]:
    """mtr ``-e`` style: one line per label under the responder."""
    return [f"       [MPLS: Lbl {m.label} TC {m.tc} S {m.s} TTL {m.ttl}]" for m in responder.mpls]


def report_text(report: TraceReport, numeric: bool = False) -> str:
    host, address = report.target.host, report.target.address
    target = host if host == address else f"{host} ({address})"
    status = "reached" if report.reached else "destination not reached"
    how = f"{report.setting.label}  {report.mode.value}  {report.rounds} rounds"
    lines = [
        f"tuitrace to {target}  {how}  {status}",
        f"{'TTL':>4} {'Host':<{HOST_WIDTH}} {'Loss%':>6} {'Snt':>5}"
        f"{'Last':>7}{'Avg':>7}{'Best':>7}{'Wrst':>7}{'StDev':>7}{'Javg':>7}",
    ]
    for hop in report.hops:
        lines.extend(_hop_lines(hop, numeric))
    if report.findings:
        lines.extend(["", FINDINGS_HEADING, *(finding_line(f) for f in report.findings)])
    lines.extend(flows_text(report.flows, report.paths))
    lines.extend(mda_text(report.mda))
    lines.extend(_event_lines(report.events))
    return "\n".join(lines) + "\n"


def _event_lines(events: Sequence[Event]) -> list[str]:
    if not events:
        return []
    lines = ["", "Events"]
    for event in events:
        hop = "" if event.ttl is None else f"hop {event.ttl}"
        lines.append(f"  {event.time}  {event.t_s:>9.3f} s  {event.kind.value:<14} {hop:<7} {event.text}")
    return lines


def without_findings(text: str) -> str:
    """``text`` (a report from here) without its Findings block, for pages that list the findings apart;
    the blocks are separated by blank lines (the table has none), so any other block stays."""
    blocks = text.rstrip("\n").split("\n\n")
    return "\n\n".join(b for b in blocks if not b.startswith(f"{FINDINGS_HEADING}\n")) + "\n"


def finding_line(finding: FindingReport) -> str:
    """``  problem  TCP/389 is administratively prohibited by ...``: severity, then the sentence."""
    return f"  {finding.severity:<8} {finding.text}"


def render_text(
    snapshot: TraceSnapshot,
    lookup: Lookup | None = None,
    numeric: bool = False,
    events: Sequence[Event] = (),
    *,
    flows: FlowsSnapshot | None = None,
    mda: MdaResult | None = None,
) -> str:
    return report_text(build_report(snapshot, lookup, events, flows, mda), numeric)
