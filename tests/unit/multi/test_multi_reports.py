"""Reports of several targets: each entry is the single-target report, failures have entries of their own."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

from tests.ui.fake_engine import FILTERED, FakeEngine
from tuitrace.report.csv import render_csv
from tuitrace.report.json import render_json
from tuitrace.report.multi import ERROR_COLUMN, TargetOutcome, multi_csv, multi_json, multi_text, summarize
from tuitrace.report.text import render_text
from tuitrace.ui.widgets.header import header_text


def outcomes() -> list[TargetOutcome]:
    alpha = FakeEngine(host="alpha", target="10.0.9.2")
    alpha.advance(8)
    beta = FakeEngine(host="beta", target="10.0.9.3", setting=FILTERED)
    beta.advance(4)  # TCP/389: !X at hop 4, never reached
    return [
        TargetOutcome("alpha", alpha.snapshot()),
        TargetOutcome("beta", beta.snapshot()),
        TargetOutcome("=gamma", None, (), "cannot resolve '=gamma'"),
    ]


def test_json_has_one_entry_per_target_each_the_single_target_document() -> None:
    measured = outcomes()
    document = json.loads(multi_json(measured))
    assert list(document) == ["traces"]
    traces = document["traces"]
    for entry, outcome in zip(traces[:2], measured[:2], strict=True):
        assert outcome.snapshot is not None
        assert entry == {"vantage": "local", **json.loads(render_json(outcome.snapshot))}
        assert next(iter(entry)) == "vantage"  # where it was traced from, then the single-target document
    assert traces[0]["reached"] is True and traces[1]["reached"] is False
    assert traces[2] == {"vantage": "local", "target": {"host": "=gamma", "address": None},
                         "error": "cannot resolve '=gamma'"}


def test_csv_is_one_table_with_the_target_columns_and_an_error_column() -> None:
    measured = outcomes()
    rows = list(csv.reader(io.StringIO(multi_csv(measured))))
    header, body = rows[0], rows[1:]
    assert measured[0].snapshot is not None
    single = list(csv.reader(io.StringIO(render_csv(measured[0].snapshot))))
    assert header == [*single[0], ERROR_COLUMN]
    at = header.index("target_host")
    table = body[: body.index([])] if [] in body else body
    hosts = [row[at] for row in table]
    assert hosts == ["alpha"] * 6 + ["beta"] * 5 + ["'=gamma"]  # hop 2: 2 responders
    assert [row[:-1] for row in table[:6]] == single[1:7]
    assert table[-1][-1] == "cannot resolve '=gamma'"
    assert all(len(row) == len(header) for row in table)


def test_csv_findings_say_whose_they_are() -> None:
    rows = list(csv.reader(io.StringIO(multi_csv(outcomes()))))
    findings = rows[rows.index([]) + 1:]
    assert findings[0][:2] == ["target_host", "finding_kind"]
    assert any(row[0] == "beta" and row[1] == "blocked" for row in findings[1:])


def test_text_has_an_overview_then_each_targets_report() -> None:
    measured = outcomes()
    text = multi_text(measured)
    assert text.startswith("Targets\n")
    overview = text.split("\n\n")[0].splitlines()
    assert overview[2].split()[:5] == ["alpha", "10.0.9.2", "yes", "5", "0.0%"]
    assert overview[3].split()[:6] == ["beta", "10.0.9.3", "no", "4", "-", "-"]
    assert overview[4].split(None, 1) == ["=gamma", "not traced: cannot resolve '=gamma'"]
    assert measured[0].snapshot is not None and measured[1].snapshot is not None
    assert render_text(measured[0].snapshot) in text and render_text(measured[1].snapshot) in text
    assert "tuitrace to =gamma  not traced: cannot resolve '=gamma'" in text


def test_the_summary_reads_loss_and_avg_at_the_destination() -> None:
    engine = FakeEngine(host="alpha", target="10.0.9.2")
    engine.advance(8)
    snapshot = engine.snapshot()
    summary = summarize(TargetOutcome("alpha", snapshot))
    destination = snapshot.hops[-1]
    assert destination.responders[0].is_target
    assert summary.reached and summary.hops == 5
    assert summary.loss_pct == 0.0
    assert destination.rtt.avg_ms is not None and summary.avg_ms == round(destination.rtt.avg_ms, 3)


def test_a_cut_link_is_what_the_overview_says_of_a_trace_until_it_is_back() -> None:
    engine = FakeEngine(host="alpha", target="10.0.9.2")
    engine.advance(3)
    note = "the connection to jump1 dropped; connecting again in 2 s"
    cut = dataclasses.replace(engine.snapshot(), link=note)
    assert summarize(TargetOutcome("alpha", cut)).last_event == cut.link
    header = header_text(cut).plain
    assert cut.link in header and "destination reached" not in header
    back = dataclasses.replace(cut, link=None)
    assert summarize(TargetOutcome("alpha", back)).last_event != cut.link
    assert "destination reached" in header_text(back).plain
