"""``--json``: the report as one JSON document (schema in the README), the records' fields as they are."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from tuitrace.probe.mda import MdaResult
from tuitrace.report.model import Lookup, TraceReport, build_report
from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Event


def report_json(report: TraceReport) -> str:
    document = dataclasses.asdict(report)
    if not report.flows:  # only a --flows run has flows and paths: other reports keep their schema
        del document["flows"], document["paths"]
    if report.mda is None:
        del document["mda"]
    return json.dumps(document, indent=2) + "\n"


def render_json(
    snapshot: TraceSnapshot,
    lookup: Lookup | None = None,
    events: Sequence[Event] = (),
    flows: FlowsSnapshot | None = None,
    mda: MdaResult | None = None,
) -> str:
    return report_json(build_report(snapshot, lookup, events, flows, mda))
