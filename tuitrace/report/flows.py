"""The ``--flows`` part of a report: every flow and every distinct path, as records the renderers share.

JSON carries them as ``flows`` and ``paths`` (only in a run with ``--flows``, so other reports keep their
schema); the text report adds a "Paths" block (each path hop by hop, its loss and RTT) and a "Flows" block;
the CSV adds two sections after the findings, one row per flow hop and one per path hop, each with its own
header, so a reader that wants the hop table still stops at the first blank line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from tuitrace.stats.flowbook import APPLICATION_FLOW, FlowHop, FlowsSnapshot


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass(frozen=True, slots=True)
class FlowHopReport:
    """One TTL of a flow or of a path: who answered it and how often."""

    ttl: int
    address: str | None
    sent: int
    received: int
    loss_pct: float
    avg_ms: float | None
    best_ms: float | None
    worst_ms: float | None
    annotation: str | None

    @staticmethod
    def of(hop: FlowHop) -> FlowHopReport:
        rtt = hop.rtt
        return FlowHopReport(
            ttl=hop.ttl,
            address=hop.address,
            sent=hop.sent,
            received=hop.received,
            loss_pct=round(hop.loss_pct, 1),
            avg_ms=_ms(rtt.avg_ms),
            best_ms=_ms(rtt.best_ms),
            worst_ms=_ms(rtt.worst_ms),
            annotation=hop.annotation,
        )


@dataclass(frozen=True, slots=True)
class FlowReport:
    """One flow: what makes it a flow, the path it follows, and its loss and RTT at its last hop."""

    flow: int
    label: str
    path: int
    reached: bool
    sent: int
    received: int
    loss_pct: float
    avg_ms: float | None
    hops: tuple[FlowHopReport, ...]


@dataclass(frozen=True, slots=True)
class PathReport:
    """One distinct path: its flows, and per TTL their statistics added together (the branch's)."""

    path: int
    flows: tuple[int, ...]
    application: bool
    """The application's own ports (flow 1) take this path."""
    reached: bool
    sent: int
    received: int
    loss_pct: float
    avg_ms: float | None
    hops: tuple[FlowHopReport, ...]


def _end(hops: tuple[FlowHopReport, ...]) -> tuple[int, int, float, float | None]:
    if not hops:
        return 0, 0, 0.0, None
    last = hops[-1]
    return last.sent, last.received, last.loss_pct, last.avg_ms


def flow_reports(snapshot: FlowsSnapshot) -> tuple[tuple[FlowReport, ...], tuple[PathReport, ...]]:
    flows = []
    for flow in snapshot.flows:
        hops = tuple(FlowHopReport.of(hop) for hop in flow.hops)
        sent, received, loss, avg = _end(hops)
        reached = bool(flow.hops) and flow.hops[-1].reached
        flows.append(FlowReport(flow.flow, flow.label, flow.path, reached, sent, received, loss, avg, hops))
    mine = snapshot.application_path
    paths = []
    for path in snapshot.paths:
        hops = tuple(FlowHopReport.of(hop) for hop in path.hops)
        sent, received, loss, avg = _end(hops)
        reached = bool(path.hops) and path.hops[-1].reached
        paths.append(
            PathReport(path.path, path.flows, path.path == mine, reached, sent, received, loss, avg, hops)
        )
    return tuple(flows), tuple(paths)


# -- text ------------------------------------------------------------------------------------------------
def _ms_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def flows_text(flows: tuple[FlowReport, ...], paths: tuple[PathReport, ...]) -> list[str]:
    """The "Paths" and "Flows" blocks of the text report (each after a blank line); none without flows."""
    if not flows:
        return []
    noun = "path" if len(paths) == 1 else "paths"
    lines = ["", f"Paths: {len(paths)} distinct {noun} among {len(flows)} flows "
             f"(flow {APPLICATION_FLOW} has the trace's own ports)"]
    for path in paths:
        mine = ", yours" if path.application else ""
        members = " ".join(str(flow) for flow in path.flows)
        lines.append(f"  path {path.path} (flows {members}{mine}): {path.loss_pct:.1f}% loss of {path.sent} "
                     f"at the end, avg {_ms_text(path.avg_ms)} ms")
        for hop in path.hops:
            address = hop.address or "???"
            if hop.annotation:
                address += f" {hop.annotation}"
            lines.append(f"    {hop.ttl:>3}. {address:<40} {hop.loss_pct:>5.1f}% {hop.sent:>5} "
                         f"{_ms_text(hop.avg_ms):>9}")
    lines.extend(["", "Flows"])
    lines.extend(
        f"  flow {flow.flow:>2}  {flow.label:<32} path {flow.path:>2}  {flow.loss_pct:>5.1f}% "
        f"of {flow.sent:>4}  avg {_ms_text(flow.avg_ms)} ms"
        for flow in flows
    )
    return lines


# -- csv -------------------------------------------------------------------------------------------------
_HOP_FIELDS = tuple(spec.name for spec in dataclasses.fields(FlowHopReport))
FLOW_COLUMNS = ("flow_flow", "flow_label", "flow_path", "flow_reached", *(f"flow_{n}" for n in _HOP_FIELDS))
PATH_COLUMNS = ("path_path", "path_flows", "path_application", "path_reached",
                *(f"path_{n}" for n in _HOP_FIELDS))


def _cells(hop: FlowHopReport) -> list[object]:
    return ["" if value is None else value for value in dataclasses.astuple(hop)]


class RowWriter(Protocol):
    """What ``csv.writer`` returns, as far as this module uses it."""

    def writerow(self, row: Iterable[object], /) -> object: ...


def write_flows_csv(
    writer: RowWriter, flows: tuple[FlowReport, ...], paths: tuple[PathReport, ...]
) -> None:
    """Two more CSV sections (a blank line before each): one row per flow and TTL, one per path and TTL."""
    if not flows:
        return
    writer.writerow([])
    writer.writerow(FLOW_COLUMNS)
    for flow in flows:
        for hop in flow.hops:
            writer.writerow([flow.flow, flow.label, flow.path, flow.reached, *_cells(hop)])
    writer.writerow([])
    writer.writerow(PATH_COLUMNS)
    for path in paths:
        members = " ".join(str(flow) for flow in path.flows)
        for hop in path.hops:
            writer.writerow([path.path, members, path.application, path.reached, *_cells(hop)])
