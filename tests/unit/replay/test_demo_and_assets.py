"""``--demo`` and the shipped files: the demo recording tells the whole story (ECMP, reply-only loss, a
silent hop, a route change, an outage), runs as an ordinary user with no network at all, and every file in
assets/ is package data (so an installed tuitrace has the demo and the ``--simulate`` scenarios)."""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from tuitrace.cli import load_simulation, main
from tuitrace.replay.assets import demo_recording, shipped_scenario
from tuitrace.replay.reader import read_recording

ROOT = Path(__file__).parents[3]
NOBODY = 65534


def demo_report(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["--demo", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    report: dict[str, object] = json.loads(out)
    return report


def test_the_demo_tells_every_part_of_the_story(capsys: pytest.CaptureFixture[str]) -> None:
    assert read_recording(demo_recording()).complete
    report = demo_report(capsys)
    events = report["events"]
    assert isinstance(events, list)
    kinds = [event["kind"] for event in events]
    for kind in ("setting", "path_change", "lost", "loss_burst", "reached"):
        assert kind in kinds, kinds
    [burst] = [event for event in events if event["kind"] == "loss_burst"]
    assert 2.0 <= burst["duration_s"] <= 3.5
    hops = report["hops"]
    assert isinstance(hops, list)
    assert len(hops[1]["responders"]) == 2  # ECMP, then the route moved to the other branch
    assert hops[3]["received"] == 0 and hops[3]["sent"] > 100  # a silent hop
    assert hops[2]["loss_pct"] > 20 > hops[4]["loss_pct"]  # hop 3 drops its own replies only


def test_the_demo_needs_no_network_and_no_privileges(capsys: pytest.CaptureFixture[str]) -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("setpriv") is None:
        pytest.skip("needs root, unshare and setpriv to become an ordinary user with no network")
    done = subprocess.run(
        ["unshare", "-n", "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
         sys.executable, "-m", "tuitrace", "--demo", "--json"],
        capture_output=True, text=True, timeout=60, check=False, cwd="/",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == demo_report(capsys)


def test_every_asset_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["tuitrace.assets"]
    files = [path.relative_to(ROOT / "assets").as_posix() for path in (ROOT / "assets").rglob("*")
             if path.is_file()]
    assert "demo.jsonl.gz" in files and "scenarios/linear_v4.toml" in files
    for name in files:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name
    shipped = resources.files("tuitrace.assets")  # how an installed tuitrace finds them
    assert (shipped / "demo.jsonl.gz").is_file() and (shipped / "scenarios" / "linear_v4.toml").is_file()


def test_a_shipped_scenario_is_found_by_its_name() -> None:
    assert shipped_scenario("routing_loop_v4") == shipped_scenario("routing_loop_v4.toml") is not None
    assert shipped_scenario("../pyproject") is None and shipped_scenario("nothing") is None
    # not run in this process: a run drops the privileges of the process it runs in
    assert load_simulation("routing_loop_v4").target == "198.51.100.9"
