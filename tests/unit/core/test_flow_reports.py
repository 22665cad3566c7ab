"""``--flows`` in the reports: JSON ``flows``/``paths``, the text "Paths" and "Flows" blocks, two CSV
sections; a report without ``--flows`` keeps its schema."""

from __future__ import annotations

import csv
import io
import json

from tests.unit.engine.test_flows_engine import FLOWS, trace
from tuitrace.config import Protocol
from tuitrace.report.csv import render_csv
from tuitrace.report.flows import FLOW_COLUMNS, PATH_COLUMNS
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text


def test_json_carries_every_flow_and_every_path() -> None:
    engine, flows = trace(4, Protocol.UDP)
    report = json.loads(render_json(engine.snapshot(), None, engine.events(), flows))
    assert [flow["flow"] for flow in report["flows"]] == list(range(1, FLOWS + 1))
    assert len(report["paths"]) == len(flows.paths) > 1
    first = report["flows"][0]
    assert first["label"] == "UDP sport 40001 dport 53" and first["path"] == 1 and first["reached"]
    assert first["sent"] == first["hops"][-1]["sent"] == 6 and first["loss_pct"] == 0.0
    assert list(first["hops"][0]) == ["ttl", "address", "sent", "received", "loss_pct", "avg_ms", "best_ms",
                                      "worst_ms", "annotation"]
    assert report["paths"][0]["application"] and not any(p["application"] for p in report["paths"][1:])
    assert sorted(f for p in report["paths"] for f in p["flows"]) == list(range(1, FLOWS + 1))


def test_a_report_without_flows_keeps_its_schema() -> None:
    engine, _flows = trace(4, Protocol.UDP)
    report = json.loads(render_json(engine.snapshot(), None, engine.events()))
    assert "flows" not in report and "paths" not in report
    assert "Paths" not in render_text(engine.snapshot())
    assert "flow_" not in render_csv(engine.snapshot())


def test_text_shows_each_path_hop_by_hop_and_each_flow() -> None:
    engine, flows = trace(4, Protocol.TCP)
    text = render_text(engine.snapshot(), None, False, (), flows=flows)
    block = text.split("\nPaths: ", 1)[1]
    assert block.startswith(f"{len(flows.paths)} distinct paths among {FLOWS} flows")
    assert "path 1 (flows 1" in block and ", yours)" in block
    for path in flows.paths:
        for address in path.route:
            assert f". {address}" in block
    flow_lines = text.split("\nFlows\n", 1)[1].splitlines()
    assert len(flow_lines) == FLOWS and "TCP sport 40002 dport 443" in flow_lines[0]


def test_csv_has_a_section_per_flow_hop_and_per_path_hop() -> None:
    engine, flows = trace(6, Protocol.ICMP)
    sections = render_csv(engine.snapshot(), None, flows).split("\n\n")
    flow_section, path_section = sections[-2], sections[-1]
    flow_rows = list(csv.DictReader(io.StringIO(flow_section)))
    path_rows = list(csv.DictReader(io.StringIO(path_section)))
    assert tuple(flow_rows[0]) == FLOW_COLUMNS and tuple(path_rows[0]) == PATH_COLUMNS
    assert len(flow_rows) == sum(len(flow.hops) for flow in flows.flows)
    assert len(path_rows) == sum(len(path.hops) for path in flows.paths)
    assert {row["flow_address"] for row in flow_rows} == {a for f in flows.flows for a in f.route}
