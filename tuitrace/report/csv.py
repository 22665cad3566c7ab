"""``--csv``: one row per responder (hop columns repeated), one row with an empty address per silent hop."""

from __future__ import annotations

import csv
import io

from tuitrace.report.model import Lookup, report_dict
from tuitrace.stats.snapshot import TraceSnapshot

HOP_COLUMNS = (
    "ttl",
    "sent",
    "received",
    "loss_pct",
    "last_ms",
    "avg_ms",
    "best_ms",
    "worst_ms",
    "stdev_ms",
    "jitter_ms",
)
RESPONDER_COLUMNS = (
    "address",
    "received",
    "share_pct",
    "avg_ms",
    "best_ms",
    "worst_ms",
    "annotations",
    "is_target",
    "hostname",
    "asn",
    "as_name",
    "prefix",
    "country",
    "city",
)


def render_csv(snapshot: TraceSnapshot, lookup: Lookup | None = None) -> str:
    report = report_dict(snapshot, lookup)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["target", "protocol", "port", *HOP_COLUMNS, *(f"responder_{c}" for c in RESPONDER_COLUMNS)]
    )
    head = [report["target"]["address"], report["protocol"], report["port"]]
    for hop in report["hops"]:
        hop_cells = [hop[c] for c in HOP_COLUMNS]
        responders = hop["responders"] or [None]
        for responder in responders:
            if responder is None:
                cells = [""] * len(RESPONDER_COLUMNS)
            else:
                cells = [
                    " ".join(responder[c]) if c == "annotations" else responder[c] for c in RESPONDER_COLUMNS
                ]
            writer.writerow([*head, *hop_cells, *("" if v is None else v for v in cells)])
    return out.getvalue()
