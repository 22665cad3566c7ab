"""MPLS label stacks (RFC 4950) from real extension bytes: carried per responder into the snapshot, the
reports (JSON ``mpls: [{label, tc, s, ttl}]``, CSV, text) and the ``mpls`` finding, one per tunnel."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from dataclasses import replace
from pathlib import Path

from tests.unit.diagnose.simulate import run_data
from tuitrace.diagnose.finding import Kind
from tuitrace.diagnose.mpls import mpls
from tuitrace.report.csv import render_csv
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text
from tuitrace.stats.snapshot import MplsEntry, TraceSnapshot

SCENARIO = Path(__file__).parents[2] / "scenarios" / "mpls_tunnel_v4.toml"


def tunnel() -> TraceSnapshot:
    return run_data(tomllib.loads(SCENARIO.read_text(encoding="utf-8")), "mpls")


def test_the_labels_travel_from_the_bytes_to_the_responders() -> None:
    labels = {h.ttl: h.responders[0].mpls for h in tunnel().hops}
    assert labels[1] == labels[5] == labels[6] == ()
    assert labels[2] == (MplsEntry(24001, 0, 1, 1),)
    assert labels[3] == (MplsEntry(24017, 0, 0, 1), MplsEntry(16, 0, 1, 2))
    assert labels[4] == (MplsEntry(24033, 5, 1, 1),)


def test_json_csv_and_text_carry_the_labels_per_responder() -> None:
    snap = tunnel()
    report = json.loads(render_json(snap))
    hop3 = report["hops"][2]["responders"][0]
    assert hop3["mpls"] == [{"label": 24017, "tc": 0, "s": 0, "ttl": 1},
                            {"label": 16, "tc": 0, "s": 1, "ttl": 2}]
    assert report["hops"][0]["responders"][0]["mpls"] == []
    rows = list(csv.DictReader(io.StringIO(render_csv(snap).split("\n\n")[0])))
    assert rows[2]["responder_mpls"] == "label=24017,tc=0,s=0,ttl=1 label=16,tc=0,s=1,ttl=2"
    text = render_text(snap, None, True)
    assert "[MPLS: Lbl 24017 TC 0 S 0 TTL 1]\n       [MPLS: Lbl 16 TC 0 S 1 TTL 2]" in text


def test_one_finding_per_run_of_labelled_hops() -> None:
    snap = tunnel()
    (finding,) = mpls(snap)
    assert (finding.kind, finding.ttl) == (Kind.MPLS, 2)
    assert (finding.value("last_ttl"), finding.value("hops")) == (4, 3)
    assert finding.value("labels") == "2:24001 3:24017/16 4:24033"
    hops = list(snap.hops)
    unlabelled = replace(hops[2], responders=tuple(replace(r, mpls=()) for r in hops[2].responders))
    split = replace(snap, hops=(*hops[:2], unlabelled, *hops[3:]))
    assert [(f.ttl, f.value("last_ttl")) for f in mpls(split)] == [(2, 2), (4, 4)]
    assert "at hop 2:" in mpls(split)[0].text


def test_no_labels_no_finding() -> None:
    snap = tunnel()
    plain = replace(snap, hops=tuple(replace(h, responders=tuple(replace(r, mpls=()) for r in h.responders))
                                     for h in snap.hops))
    assert mpls(plain) == ()
