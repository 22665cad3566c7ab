"""``--csv``: one row per responder, one row with empty responder columns per silent hop.

The columns are the JSON's fields, flattened: the run's fields first (a nested record's as
``target_host``), then the hop's, then the responder's as ``responder_<field>``. They are read off the
report records, so a field added to the model is a column at once. Lists (annotations) are joined with
spaces; unknown values are empty.

The findings are not per responder, so they follow as a second section: a blank line, then a header whose
columns all start with ``finding_`` (evidence as ``name=value`` pairs), then one row per finding. A reader
that wants only the table stops at the first blank line; spreadsheets show both sections. Without
findings there is no second section, so the file is one plain table.

A text cell that a spreadsheet would take for a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return, and is not a number) is written with a leading ``'``: names and AS names come from
the network, and a reverse DNS or RDAP answer must not run as a formula in the reader's spreadsheet.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import typing
from functools import cache

from tuitrace.report.flows import write_flows_csv
from tuitrace.report.model import (
    ROWS,
    FindingReport,
    HopReport,
    Lookup,
    ResponderReport,
    TraceReport,
    build_report,
)
from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.stats.snapshot import TraceSnapshot

if typing.TYPE_CHECKING:
    from _typeshed import DataclassInstance

RESPONDER_PREFIX = "responder_"
FINDING_PREFIX = "finding_"


@cache
def columns(record_type: type, prefix: str = "") -> tuple[str, ...]:
    """The flat column names of ``record_type``: its own fields, a nested record's as ``<name>_<field>``;
    its children (the fields marked ``ROWS``) are rows of their own, not columns."""
    hints = typing.get_type_hints(record_type)
    names: list[str] = []
    for spec in dataclasses.fields(record_type):
        if spec.metadata.get(ROWS):
            continue
        hint = hints[spec.name]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            names.extend(columns(hint, f"{prefix}{spec.name}_"))
        else:
            names.append(prefix + spec.name)
    return tuple(names)


def cells(record: DataclassInstance) -> list[object]:
    """``record``'s values in the order of ``columns(type(record))``."""
    values: list[object] = []
    for spec in dataclasses.fields(record):
        if spec.metadata.get(ROWS):
            continue
        value = getattr(record, spec.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            values.extend(cells(value))
        elif isinstance(value, tuple):
            values.append(inert(" ".join(str(v) for v in value)))
        else:
            values.append("" if value is None else inert(value))
    return values


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """``value``, with a leading ``'`` if it is text a spreadsheet would evaluate as a formula."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def header() -> list[str]:
    return [*columns(TraceReport), *columns(HopReport),
            *(RESPONDER_PREFIX + name for name in columns(ResponderReport))]


def report_csv(report: TraceReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header())
    run = cells(report)
    silent = [""] * len(columns(ResponderReport))
    for hop in report.hops:
        hop_cells = cells(hop)
        for responder in hop.responders or (None,):
            writer.writerow([*run, *hop_cells, *(silent if responder is None else cells(responder))])
    if report.findings:
        writer.writerow([])
        writer.writerow([FINDING_PREFIX + spec.name for spec in dataclasses.fields(FindingReport)])
        for finding in report.findings:
            evidence = " ".join(f"{name}={value}" for name, value in finding.evidence.items())
            writer.writerow([finding.kind, "" if finding.ttl is None else finding.ttl, finding.address or "",
                             finding.severity, inert(finding.text), inert(evidence)])
    write_flows_csv(writer, report.flows, report.paths)
    return out.getvalue()


def render_csv(
    snapshot: TraceSnapshot, lookup: Lookup | None = None, flows: FlowsSnapshot | None = None
) -> str:
    return report_csv(build_report(snapshot, lookup, flows=flows))
