"""The whole command (parsing, engine, reports) on a simulated path, without privileges or a network."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def tuitrace(*argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tuitrace", "--no-lookups", "-i", "0.05", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_json_report_of_an_ecmp_path_lists_both_routers() -> None:
    out = tuitrace(
        "--simulate", str(SCENARIOS / "ecmp_udp_classic_v4.toml"), "-P", "udp", "--json", "-c", "6", "x"
    )
    report = json.loads(out)
    assert report["mode"] == "simulated" and report["protocol"] == "udp" and report["port"] is None
    assert report["rounds"] == 6 and report["reached"] is True
    hop2 = report["hops"][1]
    assert {r["address"] for r in hop2["responders"]} == {"203.0.113.21", "203.0.113.22"}
    assert sum(r["received"] for r in hop2["responders"]) == hop2["received"] == 6


def test_csv_and_text_reports_agree_with_json() -> None:
    scenario = str(SCENARIOS / "reject_tcp_port_v4.toml")
    rows = list(
        csv.DictReader(io.StringIO(tuitrace("--simulate", scenario, "-T", "-p", "389", "--csv", "x")))
    )
    assert [r["ttl"] for r in rows] == ["1", "2", "3"]
    assert rows[-1]["responder_annotations"] == "!X"
    text = tuitrace("--simulate", scenario, "-T", "-p", "389", "--report", "x")
    assert "203.0.113.1 !X" in text and "destination not reached" in text
