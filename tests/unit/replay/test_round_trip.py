"""``--replay`` of a recording gives the live report of the same run, to the byte (hops, counts, RTTs,
events), through every kind of record: key presses (protocol, sendwait, interval, reset, pause), gzip and
plain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tuitrace.replay.engine import ReplayEngine
from tuitrace.replay.reader import read_recording
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text

from .make import record_simulated


def replayed(path: Path) -> tuple[str, str]:
    engine = ReplayEngine(read_recording(path))
    engine.run_to_end()
    snapshot = engine.snapshot()
    return render_json(snapshot, None, engine.events()), render_text(snapshot, None, True, engine.events())


@pytest.mark.parametrize("name", ["run.jsonl", "run.jsonl.gz"])
def test_the_replayed_report_is_the_live_report(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    live_json, live_text = record_simulated(path)
    report = json.loads(live_json)
    kinds = {event["kind"] for event in report["events"]}
    assert "setting" in kinds and report["probes_sent"] > 100  # the run did change settings
    replay_json, replay_text = replayed(path)
    assert replay_json == live_json
    assert replay_text == live_text


@pytest.mark.parametrize("scenario", ["routing_loop_v4.toml", "unreachable_net_v6.toml",
                                      "forward_loss_at_hop3_v4.toml", "tcp_closed_port_v4.toml",
                                      "mpls_tunnel_v4.toml", "middlebox_tcp_reset_v4.toml"])
def test_other_paths_replay_to_the_same_report(tmp_path: Path, scenario: str) -> None:
    path = tmp_path / "run.jsonl"
    live_json, _ = record_simulated(path, scenario, rounds=20, keys=False)
    assert replayed(path)[0] == live_json


def test_gzip_is_used_for_gz_names_only(tmp_path: Path) -> None:
    record_simulated(tmp_path / "a.jsonl.gz", rounds=3, keys=False)
    record_simulated(tmp_path / "a.jsonl", rounds=3, keys=False)
    assert (tmp_path / "a.jsonl.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert (tmp_path / "a.jsonl").read_text(encoding="utf-8").startswith('{"format":"tuitrace-recording"')


def test_a_probe_costs_under_100_bytes_before_gzip(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    live_json, _ = record_simulated(path, rounds=50, keys=False)
    probes = json.loads(live_json)["probes_sent"]
    assert path.stat().st_size / probes < 100
