"""A damaged recording replays up to the damage and says where it stopped; a file that is not a recording,
or one from a newer format, is one line and exit status 2."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tuitrace.cli import main
from tuitrace.lifecycle import StopSignals, flush_at_finish
from tuitrace.replay.engine import ReplayEngine
from tuitrace.replay.format import FORMAT_VERSION, RecordingError
from tuitrace.replay.reader import read_recording

from .make import record_simulated


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "run.jsonl"
    record_simulated(path, rounds=10, keys=False)
    return path


def probes_replayed(path: Path) -> int:
    engine = ReplayEngine(read_recording(path))
    engine.run_to_end()
    return sum(hop.sent for hop in engine.snapshot().hops)


def test_a_file_cut_in_the_middle_of_a_line_replays_up_to_it(recorded: Path, tmp_path: Path) -> None:
    data = recorded.read_bytes()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[: len(data) // 2])
    whole, part = read_recording(recorded), read_recording(cut)
    lines = data[: len(data) // 2].count(b"\n")
    assert whole.damage is None and whole.complete
    assert part.damage == f"line {lines + 1}: the line is cut short"
    assert not part.complete
    assert 0 < probes_replayed(cut) < probes_replayed(recorded)


def test_a_garbled_line_stops_the_replay_there(recorded: Path, tmp_path: Path) -> None:
    lines = recorded.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[20] = '["r",12,[[1,2,"x"]]]\n'
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(lines), encoding="utf-8")
    recording = read_recording(bad)
    assert recording.damage is not None and recording.damage.startswith("line 21: ")
    lines[20] = "\x00\x01 not json\n"
    bad.write_text("".join(lines), encoding="utf-8")
    assert read_recording(bad).damage == "line 21: not a JSON record"


def test_a_gzip_file_cut_short_replays_up_to_the_cut(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl.gz"
    record_simulated(path, rounds=10, keys=False)
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(path.read_bytes()[:-200])
    recording = read_recording(cut)
    assert recording.damage is not None
    assert 0 < probes_replayed(cut) < probes_replayed(path)


def test_the_cli_replays_a_damaged_file_and_says_where_it_stopped(
        recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cut = tmp_path / "cut.jsonl"
    data = recorded.read_bytes()
    cut.write_bytes(data[: data.index(b"\n", len(data) // 2)])  # cut just before a line's end
    assert main(["--replay", str(cut), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["hops"]
    assert err.count("\n") == 1 and "is damaged at line" in err and "replayed up to there" in err


def test_a_file_cut_at_a_line_end_says_its_end_is_missing(recorded: Path, tmp_path: Path) -> None:
    data = recorded.read_bytes()
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(data[: data.index(b"\n", len(data) // 2) + 1])
    recording = read_recording(cut)
    lines = cut.read_bytes().count(b"\n")
    assert recording.damage is not None
    assert recording.damage.startswith(f"line {lines + 1}: the file ends before")


def test_a_newer_format_is_one_line_and_exit_2(recorded: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    lines = recorded.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    header["version"] = FORMAT_VERSION + 1
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")
    with pytest.raises(RecordingError, match="format version 2"):
        read_recording(newer)
    assert main(["--replay", str(newer), "--report"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "update tuitrace" in err


@pytest.mark.parametrize("content", [b"", b"hello\n", b'{"format": "other"}\n', gzip.compress(b"\xff\xfe")])
def test_what_is_not_a_recording_is_one_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    assert main(["--replay", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a tuitrace recording" in err


def test_a_missing_file_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--replay", str(tmp_path / "none.jsonl"), "--json"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_replay_takes_no_host_and_records_nothing(recorded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--replay", str(recorded), "10.0.0.1"]) == 2
    assert main(["--replay", str(recorded), "--record", "x.jsonl", "--json"]) == 2
    assert main([]) == 2
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in err] == ["tuitrace"] * 3


def test_finishing_a_run_flushes_the_recording() -> None:
    flushed: list[str] = []
    with flush_at_finish(lambda: flushed.append("flushed")), StopSignals() as signals:
        assert flushed == []
        signals.finish()
    assert flushed == ["flushed"]
    StopSignals().finish()  # once the run is over, nothing is registered any more
    assert flushed == ["flushed"]


def test_the_fast_result_encoding_is_the_json_of_the_result() -> None:
    from tuitrace.config import Protocol, Setting
    from tuitrace.probe.types import Outcome, ProbeResult
    from tuitrace.replay.format import decode_result, encode_result, result_json

    setting = Setting(Protocol.UDP, None)
    results = [
        ProbeResult(1, setting, 3, 7, Outcome.LOST),
        ProbeResult(65533, setting, 30, 10**6, Outcome.TIME_EXCEEDED, "fd00:201:3::2", 123456789, None, 62),
        ProbeResult(2, setting, 5, 0, Outcome.UNREACHABLE, "10.0.0.1", 0, '!X "odd" \\ \u00e9', None),
        ProbeResult(3, setting, 5, 0, Outcome.REACHED, None, None, "!H", None),
    ]
    for result in results:
        assert json.loads(result_json(result, 0)) == encode_result(result, 0)
        assert decode_result(json.loads(result_json(result, 0)), [setting]) == result


@pytest.mark.parametrize("record", [
    '["p",0,0,3,null,1,1000000000,5,0]',  # a million rows asked for: refused, not built
    '["r",0,[[1,300,0,0,"l"]]]',
    '["e",0,"exploded",1.0,0,3,5,1,5,20,0]',
    '["e",0,"finished",NaN,0,3,5,1,5,20,0]',
    '["s",0,1,"tcp:0"]',
    '["s",0,1,"udp:65536"]',
])
def test_a_damaged_value_stops_the_replay_instead_of_being_used(recorded: Path, tmp_path: Path,
                                                                record: str) -> None:
    lines = recorded.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(10, record + "\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(lines), encoding="utf-8")
    recording = read_recording(bad)
    assert recording.damage is not None and recording.damage.startswith("line 11: ")
    engine = ReplayEngine(recording)
    engine.run_to_end()
    assert len(engine.snapshot().hops) < 30
