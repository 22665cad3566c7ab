"""``--json``: the report as one JSON document (schema in the README), the records' fields as they are."""

from __future__ import annotations

import dataclasses
import json

from tuitrace.report.model import Lookup, TraceReport, build_report
from tuitrace.stats.snapshot import TraceSnapshot


def report_json(report: TraceReport) -> str:
    return json.dumps(dataclasses.asdict(report), indent=2) + "\n"


def render_json(snapshot: TraceSnapshot, lookup: Lookup | None = None) -> str:
    return report_json(build_report(snapshot, lookup))
