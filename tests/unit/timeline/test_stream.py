"""``--stream``: rounds gather their results and come out once complete; lines are JSON, one per round and
per event; the command line refuses to mix it with a report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.timeline.test_engine_events import INTERVAL, TARGET, ChangingNetwork
from tuitrace.arguments import build_parser
from tuitrace.cli import invocation_from_args
from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.invocation import ReportFormat
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.report.stream import StreamWriter
from tuitrace.timeline.rounds import PENDING_ROUNDS, RoundAssembler

S, MS = 1_000_000_000, 1_000_000
ICMP = Setting(Protocol.ICMP, None)
SCENARIO = str(Path(__file__).parents[2] / "scenarios" / "linear_v4.toml")


def result(number: int, ttl: int, rtt_ms: float | None = 1.0) -> ProbeResult:
    if rtt_ms is None:
        return ProbeResult(0, ICMP, ttl, number, Outcome.LOST)
    return ProbeResult(0, ICMP, ttl, number, Outcome.TIME_EXCEEDED, "203.0.113.1", int(rtt_ms * MS))


def test_a_round_is_complete_once_its_settle_time_has_passed_since_it_started() -> None:
    rounds = RoundAssembler(wait_ns=S)
    rounds.add(result(0, 1), MS)
    rounds.add(result(1, 1), S + MS)
    assert rounds.complete(S - 1, settle_ns=S) == []
    rounds.add(result(0, 2, None), S)  # the loss resolves a wait later
    [record] = rounds.complete(S + MS - 1, settle_ns=S)
    assert (record.round, record.started_ns, [h.ttl for h in record.hops]) == (0, 0, [1, 2])
    assert [h.outcome for h in record.hops] == [Outcome.TIME_EXCEEDED, Outcome.LOST]
    assert [r.round for r in rounds.flush()] == [1]


def test_rounds_held_are_bounded() -> None:
    rounds = RoundAssembler(wait_ns=S)
    for number in range(PENDING_ROUNDS + 10):
        rounds.add(result(number, 1), number)
    released = rounds.complete(PENDING_ROUNDS + 10, settle_ns=10 * S)
    assert [r.round for r in released] == list(range(10))
    assert len(rounds.flush()) == PENDING_ROUNDS


def test_the_engine_streams_every_round_whole_and_in_order_with_the_events_between() -> None:
    lines: list[str] = []
    network = ChangingNetwork(5.0, until_s=7.0)
    config = TraceConfig(target=TARGET, family=4, count=60, interval=INTERVAL, wait=1.0)
    engine = Engine(config, network)
    writer = StreamWriter(engine.clock, lines.append)
    engine.add_round_listener(writer.on_round)
    engine.add_event_listener(writer.on_event)
    engine.run()
    records = [json.loads(line) for line in lines]
    rounds = [r for r in records if r["type"] == "round"]
    assert [r["round"] for r in rounds] == list(range(60))
    whole = [r for r in rounds if r["t_s"] < 4.5]
    assert whole and all([h["ttl"] for h in r["hops"]] == [1, 2, 3, 4] for r in whole)
    assert rounds[1]["hops"][3] == {"ttl": 4, "outcome": "reached", "address": TARGET, "rtt_ms": 10.0,
                                    "annotation": None}
    outage = [r for r in rounds if 5.0 <= r["t_s"] < 7.0]
    assert outage and all({h["outcome"] for h in r["hops"]} == {"lost"} for r in outage)
    events = [r for r in records if r["type"] == "event"]
    assert [e["kind"] for e in events] == [e.kind.value for e in engine.events()]
    burst = records.index(next(e for e in events if e["kind"] == "loss_burst"))
    assert any(r["type"] == "round" for r in records[:burst]) and records[burst + 1:], "as it happened"


def build(*argv: str) -> ReportFormat | None:
    ns = build_parser().parse_words(list(argv))
    invocation = invocation_from_args(ns, ["tuitrace", *argv], environ={}, warn=lambda _text: None)
    assert invocation.trace.count is None or "-c" in argv, "a stream runs until stopped"
    return None if invocation.report is None else invocation.report.format


def test_stream_is_a_headless_run_without_a_round_limit() -> None:
    assert build("--stream", "-n", "--no-lookups", "--simulate", SCENARIO, TARGET) is ReportFormat.STREAM


@pytest.mark.parametrize("other", ["--json", "--csv", "--report"])
def test_stream_with_a_report_is_one_line(other: str) -> None:
    done = subprocess.run([sys.executable, "-m", "tuitrace", "--stream", other, "-n", "--no-lookups",
                           "--simulate", SCENARIO, TARGET], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "tuitrace: --stream writes its own lines: leave out --report, --json and --csv"
    ]


def test_the_command_line_streams_json_lines() -> None:
    done = subprocess.run([sys.executable, "-m", "tuitrace", "--stream", "-c", "3", "-i", "0.05", "-w", "0.2",
                           "-n", "--no-lookups", "--simulate", SCENARIO, TARGET],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["type"] for r in records].count("round") == 3
    assert [r["kind"] for r in records if r["type"] == "event"] == ["reached"]


def test_a_reader_that_goes_away_ends_the_stream_quietly() -> None:
    """``tuitrace --stream HOST | head -1``: no traceback, no endless run."""
    proc = subprocess.Popen([sys.executable, "-m", "tuitrace", "--stream", "-i", "0.01", "-w", "0.05", "-n",
                             "--no-lookups", "--simulate", SCENARIO, TARGET],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    assert json.loads(first)["type"] in {"round", "event"}
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read() == b""
