"""Fuzz the text inputs beside the packets: recordings (``--replay``), a remote's ``--stream`` lines
(``--from``) and ``--stream``'s commands on standard input.

Each is a file or a pipe from somewhere else. Seeded mutations of real ones (a recording of the engine on a
simulated path, the lines of a simulated ``--stream`` run) replace a JSON value with a hostile one (nan,
infinity, 1e308, huge and negative numbers, empty and 10 kB strings, escape sequences, the wrong type), or
flip, cut and splice bytes. What must hold: the readers raise nothing but their documented one-line errors,
a replay runs to its end and renders every report, and no control character reaches a report. A failure
names the seed. ``pytest -m long`` runs 20 times as many cases.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from tests.unit.replay.make import SCENARIOS, record_simulated
from tuitrace.engine.commands import parse_command
from tuitrace.replay.engine import ReplayEngine
from tuitrace.replay.format import RecordingError
from tuitrace.replay.reader import read_recording
from tuitrace.report.csv import render_csv
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text
from tuitrace.vantage.lines import NewerStreamError, read_line

CASES = 300
HOSTILE_VALUES: tuple[object, ...] = (
    float("nan"), float("inf"), -float("inf"), 1e308, -1, 0, 2**64, -(2**63), 1.5, True, False, None, "", "x",
    "\x1b[31m\x1b]52;c;eA==\x07", "\u202eevil", "[bold]x[/]", "9" * 5000, "x" * 10_000, [], {}, [1, [2]],
    {"a": None}, "10.0.0.1", "::1", "udp:99999", "tcp:0",
)


def mutate_json(rng: random.Random, value: Any) -> Any:
    """``value`` with one leaf (or a whole branch) replaced by a hostile value, or a list cut short."""
    if isinstance(value, list) and value and rng.random() < 0.8:
        if rng.random() < 0.1:
            return value[: rng.randrange(len(value))]
        index = rng.randrange(len(value))
        return [*value[:index], mutate_json(rng, value[index]), *value[index + 1:]]
    if isinstance(value, dict) and value and rng.random() < 0.8:
        key = rng.choice(sorted(value))
        if rng.random() < 0.1:
            return {k: v for k, v in value.items() if k != key}
        return {**value, key: mutate_json(rng, value[key])}
    return rng.choice(HOSTILE_VALUES)


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    raw = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not raw:
            break
        where = rng.randrange(len(raw))
        choice = rng.random()
        if choice < 0.4:
            raw[where] ^= 1 << rng.randrange(8)
        elif choice < 0.6:
            raw[where:where] = rng.choice([b"\xff\xfe", b"\x00", b"\x1b[2J", b"\n", b'"', b"]", b"NaN"])
        elif choice < 0.8:
            del raw[where:where + rng.randint(1, 20)]
        else:
            raw = raw[:where]
    return bytes(raw)


def mutate_line(rng: random.Random, line: str) -> str:
    if rng.random() < 0.7:
        try:
            return json.dumps(mutate_json(rng, json.loads(line)), allow_nan=True)
        except ValueError:
            pass
    return mutate_bytes(rng, line.encode("utf-8", "surrogateescape")).decode("utf-8", "surrogateescape")


def inert(text: str) -> bool:
    """No control or format character but the newline and tab that layout needs."""
    return not any(unicodedata.category(c) in ("Cc", "Cf") for c in text.replace("\n", "").replace("\t", ""))


@pytest.fixture(scope="module")
def recording_lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    path = tmp_path_factory.mktemp("fuzz") / "run.jsonl"
    record_simulated(path, rounds=8, keys=True)
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.fixture(scope="module")
def stream_lines() -> list[str]:
    scenario = SCENARIOS / "ecmp_udp_classic_v4.toml"
    done = subprocess.run(
        [sys.executable, "-m", "tuitrace", "--simulate", str(scenario), "-n", "--no-lookups", "--stream",
         "-c", "6", "-i", "0.05", "-w", "0.5", "x"],
        capture_output=True, text=True, timeout=60, check=True, stdin=subprocess.DEVNULL,
    )
    lines = done.stdout.splitlines()
    assert {json.loads(line)["type"] for line in lines} >= {"start", "round", "event"}
    return lines


def fuzz_recordings(lines: list[str], tmp_path: Path, seed: int, cases: int) -> dict[str, int]:
    rng = random.Random(seed)
    outcomes = {"refused": 0, "damaged": 0, "whole": 0}
    path = tmp_path / "mutated.jsonl"
    for case in range(cases):
        mutated = list(lines)
        for _ in range(rng.randint(1, 3)):
            index = 0 if rng.random() < 0.2 else rng.randrange(len(mutated))
            mutated[index] = mutate_line(rng, mutated[index].rstrip("\n")) + "\n"
        path.write_bytes("".join(mutated).encode("utf-8", errors="surrogateescape"))
        where = f"seed {seed} case {case}"
        try:
            recording = read_recording(path)
        except RecordingError as refused:
            assert "\n" not in str(refused) and inert(str(refused)), where
            outcomes["refused"] += 1
            continue
        engine = ReplayEngine(recording)
        engine.run_to_end()
        snapshot, events = engine.snapshot(), engine.events()
        for text in (render_text(snapshot, None, True, events), render_json(snapshot, None, events),
                     render_csv(snapshot, None)):
            assert inert(text), f"{where}: {text!r}"
        outcomes["damaged" if recording.damage else "whole"] += 1
    return outcomes


def fuzz_stream_lines(lines: list[str], seed: int, cases: int) -> dict[str, int]:
    rng = random.Random(seed)
    outcomes = {"read": 0, "dropped": 0, "newer": 0}
    for case in range(cases):
        line = mutate_line(rng, rng.choice(lines))
        try:
            record = read_line(line)
        except NewerStreamError:
            outcomes["newer"] += 1
            continue
        if record is None:
            outcomes["dropped"] += 1
            continue
        assert inert(repr(record).encode("ascii", "backslashreplace").decode()), f"seed {seed} case {case}"
        for text in (getattr(record, name, None) for name in ("host", "mode", "message", "text")):
            assert text is None or inert(text), f"seed {seed} case {case}: {text!r}"
        outcomes["read"] += 1
    return outcomes


COMMANDS = ("protocol tcp 443", "protocol udp", "port 53", "port default", "sendwait 50", "interval 0.5",
            "pause", "resume", "reset", "stop", "# a comment")


def fuzz_commands(seed: int, cases: int) -> dict[str, int]:
    rng = random.Random(seed)
    outcomes = {"accepted": 0, "refused": 0}
    for case in range(cases):
        line = mutate_bytes(rng, rng.choice(COMMANDS).encode()).decode("utf-8", errors="replace")
        try:
            parse_command(line)
        except ValueError as refused:
            assert "\n" not in str(refused), f"seed {seed} case {case}"
            outcomes["refused"] += 1
        else:
            outcomes["accepted"] += 1
    return outcomes


def check_all(recording_lines: list[str], stream_lines: list[str], tmp_path: Path, cases: int) -> None:
    seed = random.SystemRandom().randrange(2**32)
    replays = fuzz_recordings(recording_lines, tmp_path, seed, cases)
    streams = fuzz_stream_lines(stream_lines, seed, cases * 10)
    commands = fuzz_commands(seed, cases * 10)
    # Not too shallow: each reader saw both good and bad input.
    assert replays["refused"] and replays["damaged"], (seed, replays)
    assert streams["read"] and streams["dropped"], (seed, streams)
    assert commands["accepted"] and commands["refused"], (seed, commands)
    print(f"seed {seed}: recordings {replays}, stream lines {streams}, commands {commands}")


def test_fuzz_sample_recordings_stream_lines_and_commands(
        recording_lines: list[str], stream_lines: list[str], tmp_path: Path) -> None:
    check_all(recording_lines, stream_lines, tmp_path, CASES)


@pytest.mark.long
def test_fuzz_recordings_stream_lines_and_commands(
        recording_lines: list[str], stream_lines: list[str], tmp_path: Path) -> None:
    check_all(recording_lines, stream_lines, tmp_path, CASES * 20)


def test_the_mutations_are_seeded() -> None:
    assert mutate_line(random.Random(7), '["r",1,[[0,1,0,0,"t","10.0.0.1",5,64]]]') == mutate_line(
        random.Random(7), '["r",1,[[0,1,0,0,"t","10.0.0.1",5,64]]]')
