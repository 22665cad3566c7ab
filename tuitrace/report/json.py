"""``--json``: the report as one JSON document (schema in the README)."""

from __future__ import annotations

import json

from tuitrace.report.model import Lookup, report_dict
from tuitrace.stats.snapshot import TraceSnapshot


def render_json(snapshot: TraceSnapshot, lookup: Lookup | None = None) -> str:
    return json.dumps(report_dict(snapshot, lookup), indent=2) + "\n"
