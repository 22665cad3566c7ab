"""Text, JSON and CSV reports of one snapshot say the same thing, in the documented shape."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from pathlib import Path
from typing import Any

from tuitrace.config import Mode, Protocol, Setting
from tuitrace.enrich.info import EnrichInfo
from tuitrace.report.csv import render_csv
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text
from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, RttSummary, RunState, TraceSnapshot

README = Path(__file__).parents[3] / "README.md"


def rtt(avg: float) -> RttSummary:
    return RttSummary(count=4, last_ms=avg, avg_ms=avg, best_ms=avg - 0.5, worst_ms=avg + 0.5, stdev_ms=0.2,
                      jitter_ms=0.1, jitter_avg_ms=0.15, jitter_max_ms=0.3)


def responder(
    address: str, received: int, avg: float, *marks: str, target: bool = False
) -> ResponderSnapshot:
    return ResponderSnapshot(address, received, 50.0, rtt(avg), marks, target, 60)


SNAPSHOT = TraceSnapshot(
    host="lab-dst",
    target="10.201.6.2",
    family=4,
    setting=Setting(Protocol.TCP, 389),
    mode=Mode.RAW,
    interval=1.0,
    sendwait=0.0,
    wait=2.0,
    max_ttl=30,
    state=RunState.FINISHED,
    rounds=4,
    elapsed=4.0,
    reached=False,
    path_length=3,
    hops=(
        HopSnapshot(1, 4, 4, rtt(1.0), (responder("10.201.0.1", 4, 1.0),), (1.0,) * 4),
        HopSnapshot(
            2, 4, 4, rtt(2.0), (responder("10.201.1.2", 2, 2.0), responder("10.201.2.2", 2, 2.5)), (2.0,) * 4
        ),
        HopSnapshot(3, 4, 0, RttSummary(), (), (None,) * 4),
        HopSnapshot(4, 4, 3, rtt(3.0), (responder("10.201.5.2", 3, 3.0, "!X"),), (3.0,) * 4),
    ),
    probes_sent=16,
    dropped=0,
)


def lookup(address: str) -> EnrichInfo | None:
    if address == "10.201.0.1":
        return EnrichInfo(hostname="r1.lab", asn=64500, as_name="LAB", country="ZZ")
    if address == "10.201.2.2":
        return EnrichInfo(hostname="r2b.lab", asn=64501, as_name="EDGE", prefix="10.201.0.0/16", country="ZZ",
                          city="Testville", label="private (RFC 1918)")
    return None


def flat(prefix: str, record: dict[str, Any], skip: str) -> dict[str, Any]:
    """``record``'s fields as CSV columns: nested objects as ``<name>_<field>``, ``skip`` left out."""
    out: dict[str, Any] = {}
    for name, value in record.items():
        if name == skip:
            continue
        if isinstance(value, dict):
            out |= flat(f"{prefix}{name}_", value, skip)
        else:
            out[prefix + name] = value
    return out


def as_csv(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


def test_json_has_the_documented_shape() -> None:
    report = json.loads(render_json(SNAPSHOT, lookup))
    assert report["target"] == {"host": "lab-dst", "address": "10.201.6.2"}
    assert (report["protocol"], report["port"], report["rounds"], report["reached"]) == ("tcp", 389, 4, False)
    assert [h["ttl"] for h in report["hops"]] == [1, 2, 3, 4]
    silent = report["hops"][2]
    assert silent["received"] == 0 and silent["responders"] == [] and silent["loss_pct"] == 100.0
    assert [r["address"] for r in report["hops"][1]["responders"]] == ["10.201.1.2", "10.201.2.2"]
    assert report["hops"][3]["responders"][0]["annotations"] == ["!X"]
    first = report["hops"][0]["responders"][0]
    assert (first["hostname"], first["asn"], first["country"]) == ("r1.lab", 64500, "ZZ")
    for key in ("sent", "received", "loss_pct", "last_ms", "avg_ms", "best_ms", "worst_ms", "stdev_ms"):
        assert key in report["hops"][0]


def test_text_lists_every_responder_with_marks_and_names() -> None:
    text = render_text(SNAPSHOT, lookup)
    assert "TCP/389" in text and "destination not reached" in text
    assert "r1.lab (10.201.0.1) AS64500" in text
    assert "10.201.1.2" in text and "10.201.2.2" in text
    assert "???" in text
    assert "10.201.5.2 !X" in text
    assert "r1.lab" not in render_text(SNAPSHOT, lookup, numeric=True)


def csv_sections(text: str) -> tuple[str, str]:
    """The hop table and the findings section (after the first blank line; empty when none)."""
    table, _, findings = text.partition("\n\n")
    return table + "\n", findings


def test_csv_has_a_row_per_responder_and_per_silent_hop() -> None:
    rows = list(csv.DictReader(io.StringIO(csv_sections(render_csv(SNAPSHOT, lookup))[0])))
    assert [(r["ttl"], r["responder_address"]) for r in rows] == [
        ("1", "10.201.0.1"),
        ("2", "10.201.1.2"),
        ("2", "10.201.2.2"),
        ("3", ""),
        ("4", "10.201.5.2"),
    ]
    assert rows[4]["responder_annotations"] == "!X"
    assert rows[0]["responder_asn"] == "64500"


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_quoted() -> None:
    """An AS name or a reverse name comes from the network; "=HYPERLINK(...)" must stay text."""
    def hostile(address: str) -> EnrichInfo | None:
        if address == "10.201.0.1":
            return EnrichInfo(hostname="@evil", as_name='=HYPERLINK("http://x.example","a")', city="+cmd|x",
                              country="-2+3")
        return lookup(address)

    rows = list(csv.DictReader(io.StringIO(csv_sections(render_csv(SNAPSHOT, hostile))[0])))
    gateway = rows[0]
    assert gateway["responder_as_name"] == '\'=HYPERLINK("http://x.example","a")'
    assert (gateway["responder_hostname"], gateway["responder_city"]) == ("'@evil", "'+cmd|x")
    assert gateway["responder_country"] == "'-2+3"
    assert rows[1]["responder_address"] == "10.201.1.2"  # ordinary text and numbers are untouched
    assert all(not v.startswith("'") for r in rows[1:] for v in r.values())


def test_json_and_csv_carry_the_same_fields_with_the_same_values() -> None:
    report = json.loads(render_json(SNAPSHOT, lookup))
    table, findings = csv_sections(render_csv(SNAPSHOT, lookup))
    reader = csv.DictReader(io.StringIO(table))
    rows = list(reader)
    expected: list[dict[str, str]] = []
    # The events are a list of their own in the JSON; the CSV (one row per responder) leaves them out.
    assert "events" in report and not any(name.startswith("events") for name in reader.fieldnames or [])
    # The findings are a list of their own too; the CSV has them as a second section (checked elsewhere).
    run = {k: v for k, v in flat("", report, skip="hops").items() if k not in {"events", "findings"}}
    for hop in report["hops"]:
        fields = run | flat("", hop, skip="responders")
        responders = hop["responders"] or [None]
        for responder in responders:
            blank = {f"responder_{k}": None for k in report["hops"][0]["responders"][0]}
            own = blank if responder is None else flat("responder_", responder, skip="")
            expected.append({k: as_csv(v) for k, v in (fields | own).items()})
    assert list(reader.fieldnames or []) == list(expected[0])
    assert rows == expected
    for name in ("responder_label", "responder_reply_ttl", "responder_last_ms", "responder_stdev_ms",
                 "jitter_avg_ms", "jitter_max_ms", "rounds", "reached", "probes_sent", "dropped", "mode"):
        assert name in rows[0], name
    assert rows[2]["responder_label"] == "private (RFC 1918)"
    assert rows[2]["responder_city"] == "Testville"
    finding_rows = list(csv.DictReader(io.StringIO(findings)))
    assert report["findings"], "the snapshot's !X must give a finding, or this part tests nothing"
    assert [{k.removeprefix("finding_"): v for k, v in row.items()} for row in finding_rows] == [
        {**{k: as_csv(v) for k, v in f.items() if k != "evidence"},
         "evidence": " ".join(f"{k}={v}" for k, v in f["evidence"].items())}
        for f in report["findings"]
    ]


def symmetric(snapshot: TraceSnapshot) -> TraceSnapshot:
    """``snapshot`` with reply TTLs that match each hop's distance (the helper's 60 everywhere would make
    the first hops' return paths look asymmetric, a finding of its own)."""
    hops = tuple(
        dataclasses.replace(hop, responders=tuple(dataclasses.replace(r, reply_ttl=65 - hop.ttl)
                                                  for r in hop.responders))
        for hop in snapshot.hops
    )
    return dataclasses.replace(snapshot, hops=hops)


def test_findings_are_in_every_report() -> None:
    report = json.loads(render_json(symmetric(SNAPSHOT), lookup))
    (blocked,) = report["findings"]
    assert blocked == {
        "kind": "blocked", "ttl": 4, "address": "10.201.5.2", "severity": "problem",
        "text": "TCP/389 is administratively prohibited by 10.201.5.2 at hop 4.",
        "evidence": {"code": "!X", "received": 3, "sent": 4, "protocol": "tcp", "port": 389},
    }
    text = render_text(symmetric(SNAPSHOT), lookup)
    table, _, block = text.partition("\nFindings\n")
    assert "10.201.5.2 !X" in table
    assert block == "  problem  TCP/389 is administratively prohibited by 10.201.5.2 at hop 4.\n"


def test_a_report_without_findings_has_no_findings_block_or_csv_section() -> None:
    clean = symmetric(dataclasses.replace(SNAPSHOT, hops=SNAPSHOT.hops[:2], path_length=None))
    assert json.loads(render_json(clean))["findings"] == []
    assert "Findings" not in render_text(clean)
    assert "\n\n" not in render_csv(clean) and "finding_" not in render_csv(clean)


def test_the_readme_schema_lists_exactly_the_fields_of_the_json() -> None:
    block = re.search(r"JSON schema.*?```json\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block is not None
    documented = json.loads(block.group(1))
    report = json.loads(render_json(SNAPSHOT, lookup))
    assert list(documented) == list(report)
    assert list(documented["target"]) == list(report["target"])
    hop, documented_hop = report["hops"][0], documented["hops"][0]
    assert list(documented_hop) == list(hop)
    assert list(documented_hop["responders"][0]) == list(hop["responders"][0])
    assert list(documented["findings"][0]) == list(report["findings"][0])
