"""A recording is a file from anywhere (a ticket, a colleague, a download): its header is checked against the
command line's own bounds, and its text never reaches a terminal or a report as anything but inert text.

Each case edits one field of a real recording (the engine on a simulated path) and replays it as a user
would, through ``main``: a header that cannot be right is one line naming the file and the field (exit 2);
a record that cannot be right is damage (the replay stops there and says so); escape sequences in what is
shown come out as U+FFFD.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tuitrace.cli import main

from .make import record_simulated

ESC = "\x1b"
HOSTILE = f"{ESC}[2J{ESC}]52;c;aGVsbG8={ESC}\\[bold red]x\u202egnp.exe"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "run.jsonl"
    record_simulated(path, rounds=10, keys=False)
    return path


def with_header(recorded: Path, tmp_path: Path, **changes: object) -> Path:
    """``recorded`` with its header's fields (``config_<name>`` for the config's) changed."""
    lines = recorded.read_text(encoding="utf-8").splitlines(keepends=True)
    header = json.loads(lines[0])
    for name, value in changes.items():
        if name.startswith("config_"):
            header["config"][name.removeprefix("config_")] = value
        else:
            header[name] = value
    path = tmp_path / "edited.jsonl"
    path.write_text(json.dumps(header) + "\n" + "".join(lines[1:]), encoding="utf-8")
    return path


def with_record(recorded: Path, tmp_path: Path, record: list[object]) -> Path:
    """``recorded`` with ``record`` put in after the first batch of results."""
    lines = recorded.read_text(encoding="utf-8").splitlines(keepends=True)
    first_batch = next(n for n, line in enumerate(lines) if line.startswith('["r"'))
    lines.insert(first_batch + 1, json.dumps(record) + "\n")
    path = tmp_path / "edited.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize(("changes", "message"), [
    ({"config_max_ttl": 100_000}, "max_ttl must be ≤ 255, not 100000"),
    ({"config_max_ttl": "x"}, "max_ttl must be a number, not 'x'"),
    ({"config_first_ttl": 20, "config_max_ttl": 12}, "first_ttl 20 is beyond max_ttl 12"),
    ({"config_family": 9}, "family must be 4 for"),
    ({"config_target": "not an address"}, "target must be an IP address, not 'not an address'"),
    ({"config_interval": float("nan")}, "interval must be a finite number, not nan"),
    ({"config_wait": -1}, "wait must be ≥ 0.001 s, not -1"),
    ({"config_sendwait": 1e9}, "sendwait must be ≤ 10 s, not 1e+09"),
    ({"config_count": 2.5}, "count must be a whole number, not 2.5"),
    ({"config_tos": True}, "tos must be a number, not True"),
    ({"config_host": 7}, "host must be text, not 7"),
    ({"config_setting": "udp:99999"}, "setting 'udp:99999': a port is 1..65535"),
    ({"config": [1, 2]}, "it has no config object"),
    ({"config": None}, "it has no config object"),
    ({"started_epoch_s": "yesterday"}, "started_epoch_s must be a time in 1970..2999, not 'yesterday'"),
    ({"started_epoch_s": 1e308}, "started_epoch_s must be a time in 1970..2999, not 1e+308"),
])
def test_a_header_that_cannot_be_right_is_one_line_naming_file_and_field(
        recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        changes: dict[str, object], message: str) -> None:
    path = with_header(recorded, tmp_path, **changes)
    assert main(["--replay", str(path), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, err
    assert err.startswith(f"tuitrace: {path}: the recording header is damaged: ") and message in err, err


def test_the_header_as_recorded_replays(recorded: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--replay", str(recorded), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["hops"]


@pytest.mark.parametrize("report", ["--report", "--json", "--csv"])
def test_a_hostile_host_name_in_the_header_is_inert_in_every_report(
        recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], report: str) -> None:
    path = with_header(recorded, tmp_path, config_host=HOSTILE, command_line=HOSTILE)
    assert main(["--replay", str(path), report]) == 0
    out = capsys.readouterr().out
    shown = json.loads(out)["target"]["host"] if report == "--json" else out
    assert ESC not in shown and "\u202e" not in shown and "\x07" not in shown
    assert "\N{REPLACEMENT CHARACTER}[2J" in shown and "[bold red]x" in shown


def test_a_responder_that_is_not_an_address_is_damage(
        recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = with_record(recorded, tmp_path, ["r", 1000, [[900, 1, 0, 0, "t", HOSTILE, 5000, 64]]])
    assert main(["--replay", str(path), "--report"]) == 0
    out, err = capsys.readouterr()
    assert ESC not in out + err
    assert err.count("\n") == 1 and "a responder is not an IP address" in err
    assert "replayed up to there" in err


@pytest.mark.parametrize("report", ["--report", "--json", "--csv"])
def test_a_hostile_annotation_is_inert_in_every_report(
        recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], report: str) -> None:
    lines = recorded.read_text(encoding="utf-8").splitlines()
    first_batch = json.loads(next(line for line in lines if line.startswith('["r"')))
    responder = next(result[5] for result in first_batch[2] if result[5] is not None)
    mark = f"!X{ESC}[31m"
    path = with_record(recorded, tmp_path, ["r", 1000, [[900, 1, 0, 0, "u", responder, 5000, 64, mark]]])
    assert main(["--replay", str(path), report]) == 0
    out = capsys.readouterr().out
    assert ESC not in out
    assert "!X\N{REPLACEMENT CHARACTER}[31m" in out.replace("\\ufffd", "\N{REPLACEMENT CHARACTER}")


@pytest.mark.parametrize(("record", "damage"), [
    (["c", 1000, "interval", float("nan")], "interval is not a number of seconds inside 0.001..3600 s"),
    (["c", 1000, "interval", 1e308], "interval is not a number of seconds inside 0.001..3600 s"),
    (["c", 1000, "sendwait", float("inf")], "sendwait is not a number of seconds inside 0..10 s"),
    (["c", 1000, "sendwait", True], "sendwait is not a number of seconds inside 0..10 s"),
])
def test_a_setting_change_outside_the_bounds_is_damage_not_a_traceback(
        recorded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], record: list[object],
        damage: str) -> None:
    path = with_record(recorded, tmp_path, record)
    assert main(["--replay", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["hops"]
    assert err.count("\n") == 1 and damage in err and "Traceback" not in err
