"""Reports of a run with several targets: one entry per target, each exactly the single-target report.

- JSON: ``{"traces": [...]}``, each entry the document ``--json`` writes for that target alone; a target
  that could not be traced is ``{"target": {"host": ..., "address": null}, "error": "..."}``, and one whose
  engine stopped on an error carries ``"error"`` beside its numbers.
- Text: a "Targets" overview (one line per target), then each target's report, separated by blank lines.
- CSV: one header, then every target's rows (the ``target_host`` / ``target_address`` columns say whose)
  with an ``error`` column last; the findings section, when there is one, starts with ``target_host``.

Every entry is rendered by the single-target renderers and taken apart again, so an entry can never
differ from what ``tuitrace HOST`` alone would print. With one target, the run uses the single-target
reports unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, runtime_checkable

from tuitrace.engine.control import EngineControl
from tuitrace.report.csv import inert, render_csv
from tuitrace.report.json import render_json
from tuitrace.report.model import Lookup
from tuitrace.report.sidebyside import side_by_side_lines
from tuitrace.report.text import render_text
from tuitrace.stats.snapshot import HopSnapshot, TraceSnapshot
from tuitrace.timeline.events import Event

ERROR_COLUMN = "error"
TARGET_COLUMN = "target_host"


@dataclass(frozen=True, slots=True)
class TargetOutcome:
    """One target of the run as the reports see it."""

    host: str
    snapshot: TraceSnapshot | None
    """``None``: it could not be traced at all (``error`` says why)."""
    events: tuple[Event, ...] = ()
    error: str | None = None
    vantage: str = "local"
    """Where it was traced from: ``local``, the ``--from`` destination as given, or ``atlas:<probe id>``."""
    note: str = ""
    """One short line about this trace against the local one (an Atlas probe's shared hops)."""
    details: Mapping[str, Any] | None = None
    """More fields for this trace's JSON entry (an Atlas probe's metadata, ``shared_with_local``)."""


@runtime_checkable
class ComparesWithLocal(Protocol):
    """A trace from elsewhere that says what it shares with the local trace (RIPE Atlas probes)."""

    @property
    def vantage(self) -> str: ...

    def compare_with_local(self, local: TraceSnapshot | None,
                           lookup: Lookup | None) -> tuple[str, dict[str, Any]]: ...


class TracedEntry(Protocol):
    """One trace of the run as the runner or the screen holds it: its engine, or why it has none."""

    @property
    def host(self) -> str: ...

    @property
    def engine(self) -> EngineControl | None: ...

    @property
    def error(self) -> str | None: ...

    @property
    def vantage(self) -> str: ...


def measured(entries: Sequence[TracedEntry], lookup: Lookup | None = None) -> list[TargetOutcome]:
    """What each trace measured (or why it measured nothing), for the reports and the overview; a trace
    from RIPE Atlas with what it shares with the local trace."""
    result: list[TargetOutcome] = []
    for entry in entries:
        engine = entry.engine
        if engine is None:
            result.append(TargetOutcome(entry.host, None, (), entry.error, entry.vantage))
            continue
        error = None if engine.error is None else str(engine.error) or type(engine.error).__name__
        result.append(TargetOutcome(entry.host, engine.snapshot(), tuple(engine.events()), error,
                                    entry.vantage))
    return with_comparisons(result, [entry.engine for entry in entries], lookup)


def with_comparisons(outcomes: Sequence[TargetOutcome], engines: Sequence[object | None],
                     lookup: Lookup | None) -> list[TargetOutcome]:
    """``outcomes`` with each comparing engine's note and details, against the first local trace."""
    local = next((o.snapshot for o, engine in zip(outcomes, engines, strict=True)
                  if o.vantage == "local" and o.snapshot is not None
                  and not isinstance(engine, ComparesWithLocal)), None)
    result = []
    for outcome, engine in zip(outcomes, engines, strict=True):
        if isinstance(engine, ComparesWithLocal):
            note, details = engine.compare_with_local(local, lookup)
            result.append(replace(outcome, vantage=engine.vantage, note=note, details=details or None))
        else:
            result.append(outcome)
    return result


@dataclass(frozen=True, slots=True)
class TargetSummary:
    """One line of the overview: how a target is doing, at its destination."""

    host: str
    address: str | None
    reached: bool
    hops: int | None
    """Where the path ends (the destination's TTL, or the hop that rejected the probes); ``None``: unknown."""
    loss_pct: float | None
    """At the destination; ``None`` while it has not answered."""
    avg_ms: float | None
    last_event: str
    error: str | None
    note: str = ""


def destination_hop(snapshot: TraceSnapshot) -> HopSnapshot | None:
    """The row where the target itself answered, if it has."""
    for hop in reversed(snapshot.hops):
        if any(responder.is_target for responder in hop.responders):
            return hop
    return None


def summarize(outcome: TargetOutcome) -> TargetSummary:
    snapshot = outcome.snapshot
    if snapshot is None:
        return TargetSummary(outcome.host, None, False, None, None, None, "", outcome.error)
    hop = destination_hop(snapshot)
    last_event = snapshot.link or (outcome.events[-1].text if outcome.events else "")
    return TargetSummary(
        host=outcome.host,
        address=snapshot.target,
        reached=snapshot.reached,
        hops=snapshot.path_length,
        loss_pct=None if hop is None else round(hop.loss_pct, 1),
        avg_ms=None if hop is None or hop.rtt.avg_ms is None else round(hop.rtt.avg_ms, 3),
        last_event=outcome.note or last_event,
        error=outcome.error,
        note=outcome.note,
    )


# -- JSON -----------------------------------------------------------------------------------------------
def trace_entry(outcome: TargetOutcome, lookup: Lookup | None) -> dict[str, Any]:
    if outcome.snapshot is None:
        return {"vantage": outcome.vantage, "target": {"host": outcome.host, "address": None},
                "error": outcome.error}
    entry: dict[str, Any] = {"vantage": outcome.vantage, **(outcome.details or {}),
                             **json.loads(render_json(outcome.snapshot, lookup, outcome.events))}
    if outcome.error is not None:
        entry["error"] = outcome.error
    return entry


def multi_json(outcomes: Sequence[TargetOutcome], lookup: Lookup | None = None) -> str:
    return json.dumps({"traces": [trace_entry(outcome, lookup) for outcome in outcomes]}, indent=2) + "\n"


# -- text -----------------------------------------------------------------------------------------------
def _cell(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:.1f}{unit}" if unit == "%" else f"{value:.2f}"


def overview_lines(summaries: Sequence[TargetSummary]) -> list[str]:
    """The "Targets" block: one line per target (reached, hops, loss and avg at the destination)."""
    width = max([len(s.host) for s in summaries] + [6])
    lines = ["Targets", f"  {'Target':<{width}} {'Address':<39} {'Reached':<8} {'Hops':>4} {'Loss%':>6}"
             f" {'Avg':>8}"]
    for s in summaries:
        if s.address is None:
            lines.append(f"  {s.host:<{width}} not traced: {s.error}")
            continue
        hops = "-" if s.hops is None else str(s.hops)
        line = (f"  {s.host:<{width}} {s.address:<39} {'yes' if s.reached else 'no':<8} {hops:>4}"
                f" {_cell(s.loss_pct, '%'):>6} {_cell(s.avg_ms):>8}")
        lines.append(line + (f"  stopped: {s.error}" if s.error else f"  {s.note}" if s.note else ""))
    return lines


def multi_text(outcomes: Sequence[TargetOutcome], lookup: Lookup | None = None, numeric: bool = False) -> str:
    blocks = ["\n".join(overview_lines([summarize(outcome) for outcome in outcomes])) + "\n"]
    beside = side_by_side_lines(outcomes)
    if beside:
        blocks.append("\n".join(beside) + "\n")
    for outcome in outcomes:
        if outcome.snapshot is None:
            blocks.append(f"tuitrace to {outcome.host}  not traced: {outcome.error}\n")
            continue
        text = render_text(outcome.snapshot, lookup, numeric, outcome.events)
        if outcome.error is not None:
            text += f"probing stopped: {outcome.error}\n"
        if outcome.note:
            text += f"{outcome.vantage}: {outcome.note}\n"
        blocks.append(text)
    return "\n".join(blocks)


# -- CSV ------------------------------------------------------------------------------------------------
def _sections(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """A single-target CSV as (table rows with header, findings rows with header or empty)."""
    rows = list(csv.reader(io.StringIO(text)))
    if [] in rows:
        blank = rows.index([])
        return rows[:blank], rows[blank + 1:]
    return rows, []


def multi_csv(outcomes: Sequence[TargetOutcome], lookup: Lookup | None = None) -> str:
    header: list[str] | None = None
    table: list[tuple[TargetOutcome, list[str]]] = []
    findings_header: list[str] | None = None
    findings: list[list[str]] = []
    for outcome in outcomes:
        if outcome.snapshot is None:
            table.append((outcome, []))
            continue
        rows, found = _sections(render_csv(outcome.snapshot, lookup))
        header = header or rows[0]
        table.extend((outcome, row) for row in rows[1:])
        if found:
            findings_header = findings_header or found[0]
            findings.extend([str(inert(outcome.host)), *row] for row in found[1:])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if header is None:  # nothing traced: the error rows alone
        header = [TARGET_COLUMN]
    writer.writerow([*header, ERROR_COLUMN])
    host_at = header.index(TARGET_COLUMN) if TARGET_COLUMN in header else 0
    for outcome, row in table:
        cells = row or [str(inert(outcome.host)) if at == host_at else "" for at in range(len(header))]
        writer.writerow([*cells, inert(outcome.error or "")])
    if findings_header is not None:
        writer.writerow([])
        writer.writerow([TARGET_COLUMN, *findings_header])
        writer.writerows(findings)
    return out.getvalue()
