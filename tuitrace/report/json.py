"""``--json``: the report as one JSON document (schema in the README), the records' fields as they are."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from tuitrace.report.model import Lookup, TraceReport, build_report
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Event


def report_json(report: TraceReport) -> str:
    return json.dumps(dataclasses.asdict(report), indent=2) + "\n"


def render_json(snapshot: TraceSnapshot, lookup: Lookup | None = None, events: Sequence[Event] = ()) -> str:
    return report_json(build_report(snapshot, lookup, events))
