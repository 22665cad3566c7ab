"""The return path's length (``back_hops``, traceroute's ``--back``) per responder in the reports."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

from tests.unit.diagnose.simulate import run_data
from tuitrace.report.csv import render_csv
from tuitrace.report.json import render_json

SCENARIO = Path(__file__).parents[2] / "scenarios" / "return_asymmetry_v4.toml"


def test_back_hops_in_json_and_csv() -> None:
    snap = run_data(tomllib.loads(SCENARIO.read_text(encoding="utf-8")), "asymmetry")
    report = json.loads(render_json(snap))
    backs = [hop["responders"][0]["back_hops"] for hop in report["hops"]]
    assert backs == [1, 2, 3 + 6]  # the destination's replies cross 6 routers more than the probes
    rows = list(csv.DictReader(io.StringIO(render_csv(snap).split("\n\n")[0])))
    assert [row["responder_back_hops"] for row in rows] == ["1", "2", "9"]
