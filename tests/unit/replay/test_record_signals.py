"""A run stopped by SIGTERM, SIGHUP or SIGINT loses nothing of its recording: the file ends with its end
record and replays to the (partial) report the run printed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[3]


@pytest.mark.parametrize("signum", [signal.SIGTERM,
                                    pytest.param(signal.SIGHUP, marks=pytest.mark.long),
                                    pytest.param(signal.SIGINT, marks=pytest.mark.long)])
def test_a_stopped_run_keeps_its_whole_recording(tmp_path: Path, signum: int) -> None:
    recording = tmp_path / "run.jsonl.gz"
    argv = [sys.executable, "-m", "tuitrace", "--simulate", "linear_v4", "-n", "--no-lookups", "--json",
            "-c", "100000", "-i", "0.05", "--record", str(recording), "x"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    deadline = time.monotonic() + 30
    while (not recording.exists() or recording.stat().st_size < 2000) and time.monotonic() < deadline:
        time.sleep(0.1)  # rounds are being recorded (flushed each second)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum, err
    live = json.loads(out)
    assert live.pop("partial") is True and live.pop("interrupted_by") == signal.Signals(signum).name
    replay = subprocess.run([sys.executable, "-m", "tuitrace", "--replay", str(recording), "--json"],
                            capture_output=True, text=True, cwd=ROOT, timeout=30, check=False)
    assert replay.returncode == 0 and replay.stderr == ""  # no damage: the end record is there
    assert json.loads(replay.stdout) == live and live["rounds"] > 2
