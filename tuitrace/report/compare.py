"""Compare mode's reports: the comparison (:mod:`tuitrace.diagnose.compare`) as JSON, text and CSV.

- JSON: the reference setting's ordinary report, plus ``"compare": {settings, hops, divergence,
  verdict}`` (each hop once, a list with one entry per setting) and the ``protocol_divergence`` findings
  among the others.
- Text: the compare table (each hop once; per setting loss and avg, and the responder where the settings'
  responders differ), a mark column, then the verdict and the divergences.
- CSV: one row per hop and setting, then (after a blank line) one row per divergence.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence
from typing import Any

from tuitrace.diagnose.compare import Comparison, SettingHop, divergence_findings
from tuitrace.report.csv import inert
from tuitrace.report.json import render_json
from tuitrace.report.model import FindingReport, Lookup
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Event

RESPONDER_WIDTH = 16


def _setting_fields(comparison: Comparison) -> list[dict[str, Any]]:
    return [{"label": s.label, "protocol": s.protocol.value, "port": s.port} for s in comparison.settings]


def _cell(cell: SettingHop | None) -> dict[str, Any] | None:
    return None if cell is None else dataclasses.asdict(cell)


def compare_document(comparison: Comparison) -> dict[str, Any]:
    """The ``"compare"`` object of the JSON report."""
    return {
        "settings": _setting_fields(comparison),
        "hops": [{"ttl": hop.ttl, "marks": list(hop.marks),
                  "settings": [_cell(cell) for cell in hop.cells]} for hop in comparison.hops],
        "divergence": [{"ttl": d.ttl, "kind": d.kind, "setting": d.setting.label,
                        "reference": d.reference.label, "responder": d.responder, "annotation": d.annotation,
                        "rejoins": d.rejoins, "text": d.text} for d in comparison.divergences],
        "verdict": comparison.verdict,
    }


def compare_json(comparison: Comparison, reference: TraceSnapshot, lookup: Lookup | None = None,
                 events: Sequence[Event] = ()) -> str:
    document: dict[str, Any] = json.loads(render_json(reference, lookup, events))
    found = [dataclasses.asdict(FindingReport.of(f)) for f in divergence_findings(comparison)]
    document["findings"] = [*found, *document.get("findings", [])]
    document["compare"] = compare_document(comparison)
    return json.dumps(document, indent=2) + "\n"


def _text_cells(cell: SettingHop | None, show_responder: bool) -> str:
    if cell is None:
        return f"{'':>6} {'':>7}" + (f" {'':<{RESPONDER_WIDTH}}" if show_responder else "")
    avg = "" if cell.avg_ms is None else f"{cell.avg_ms:.2f}"
    text = f"{cell.loss_pct:>5.1f}% {avg:>7}"
    if show_responder:
        who = cell.responders[0] if cell.responders else "???"
        if len(cell.responders) > 1:  # ECMP: the others are in the JSON and the CSV
            who += f" +{len(cell.responders) - 1}"
        mark = " ".join(cell.annotations)
        text += f" {(who + (' ' + mark if mark else ''))[:RESPONDER_WIDTH]:<{RESPONDER_WIDTH}}"
    return text


def compare_table_lines(comparison: Comparison) -> list[str]:
    """Each hop once: the responder (when all settings agree), then per setting loss, avg and — where the
    settings' responders differ anywhere — its own responder; the marks last."""
    per_setting = comparison.responder_per_setting
    group = 6 + 1 + 7 + (1 + RESPONDER_WIDTH if per_setting else 0)
    heads = "".join(f" │ {s.label[:group]:<{group}}" for s in comparison.settings)
    lines = [f"{'TTL':>4} {'Host':<{RESPONDER_WIDTH}}{heads} │ Marks"]
    for hop in comparison.hops:
        shared = "" if hop.responders_differ else hop.shared_responder
        cells = "".join(f" │ {_text_cells(cell, per_setting)}" for cell in hop.cells)
        lines.append(f"{hop.ttl:>3}. {shared[:RESPONDER_WIDTH]:<{RESPONDER_WIDTH}}{cells} │ "
                     f"{'; '.join(hop.marks)}".rstrip())
    return lines


def compare_text(comparison: Comparison, reference: TraceSnapshot) -> str:
    host, address = reference.host, reference.target
    target = host if host in ("", address) else f"{host} ({address})"
    labels = " vs ".join(s.label for s in comparison.settings)
    lines = [f"tuitrace to {target}  compare {labels}  {reference.mode.value}  {reference.rounds} rounds",
             *compare_table_lines(comparison), "", f"Verdict: {comparison.verdict}"]
    if comparison.divergences:
        lines.extend(["", "Divergence"])
        lines.extend(f"  hop {d.ttl:<3} {d.kind:<14} {d.text}" for d in comparison.divergences)
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ("target_host", "target_address", "ttl", "setting", "protocol", "port", "responders", "sent",
               "received", "loss_pct", "avg_ms", "annotations", "reached", "marks")


def compare_csv(comparison: Comparison, reference: TraceSnapshot) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for hop in comparison.hops:
        for setting, cell in zip(comparison.settings, hop.cells, strict=True):
            if cell is None:
                continue
            writer.writerow([inert(reference.host), reference.target, hop.ttl, setting.label,
                             setting.protocol.value, "" if setting.port is None else setting.port,
                             " ".join(cell.responders), cell.sent, cell.received, cell.loss_pct,
                             "" if cell.avg_ms is None else cell.avg_ms, " ".join(cell.annotations),
                             cell.reached, inert("; ".join(hop.marks))])
    if comparison.divergences:
        writer.writerow([])
        writer.writerow(["divergence_ttl", "divergence_kind", "divergence_setting", "divergence_reference",
                         "divergence_responder", "divergence_annotation", "divergence_text"])
        for d in comparison.divergences:
            writer.writerow([d.ttl, d.kind, d.setting.label, d.reference.label, d.responder or "",
                             d.annotation or "", inert(d.text)])
    return out.getvalue()
