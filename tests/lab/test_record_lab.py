"""``--record`` over real kernel routers, replayed: the report of the replay is the live report of the run,
byte for byte (issue 12's quality bar), through ECMP and a hop whose replies are partly dropped."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.lab.netlab import Lab
from tests.lab.tuitrace_run import REPO, environment, tuitrace_argv

pytestmark = pytest.mark.lab


def test_a_recorded_lab_run_replays_to_the_identical_json_report(lab: Lab, tmp_path: Path) -> None:
    recording = tmp_path / "run.jsonl.gz"
    argv = tuitrace_argv(4, "udp", lab.target(4), rounds=30, interval=0.05, wait=0.5,
                         extra=["--record", str(recording)])
    with lab.loss("r3", 0.5):
        live = lab.run("src", argv, timeout=120, env=environment(), cwd=REPO)
    assert live.returncode == 0, live.stderr
    replay = lab.run("src", [sys.executable, "-m", "tuitrace", "--replay", str(recording), "--json"],
                     timeout=60, env=environment(), cwd=REPO)
    assert replay.returncode == 0 and replay.stderr == "", replay.stderr
    hops = json.loads(live.stdout)["hops"]
    assert len(hops[1]["responders"]) == 2  # ECMP at hop 2: classic UDP takes both branches
    # replies dropped at hop 3, each with chance 0.5: all 30 kept or all lost has chance 2e-9
    assert 0 < hops[2]["received"] < hops[2]["sent"]
    assert replay.stdout == live.stdout
