"""StatsBook.snapshot: the one place where the live engine, a replay and a remote trace build their
TraceSnapshot (which TTLs show, how long the setting ran, which settings have statistics)."""

from __future__ import annotations

from dataclasses import replace

from tuitrace.config import Mode, Protocol, Setting, TraceConfig
from tuitrace.probe.rounds import NS
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.stats.snapshot import RunState
from tuitrace.stats.trace import RunHead, RunProgress, StatsBook, run_state

ICMP = Setting(Protocol.ICMP, None)
TCP = Setting(Protocol.TCP, 443)
HEAD = RunHead.of(TraceConfig(target="192.0.2.9", family=4, host="example.test"), Mode.SIMULATED)


def answered(ttl: int, setting: Setting = ICMP) -> ProbeResult:
    return ProbeResult(key=ttl, setting=setting, ttl=ttl, round=0, outcome=Outcome.TIME_EXCEEDED,
                       responder=f"192.0.2.{ttl}", rtt_ns=1_000_000)


PROGRESS = RunProgress(RunState.RUNNING, rounds=3, reached=False, path_length=None, probes_sent=7, dropped=2)


def test_the_shown_ttls_include_silent_ones_and_nothing_beyond() -> None:
    book = StatsBook()
    book.add(answered(1), 0)
    book.add(answered(3), 0)
    snap = book.snapshot(HEAD, ICMP, 0, range(1, 4), PROGRESS)
    assert [hop.ttl for hop in snap.hops] == [1, 2, 3]
    assert [hop.sent for hop in snap.hops] == [1, 0, 1]


def test_elapsed_runs_from_the_settings_start_unless_the_engine_says_otherwise() -> None:
    book = StatsBook()
    book.add(answered(1), 5 * NS)
    assert book.snapshot(HEAD, ICMP, 7 * NS, range(1, 2), PROGRESS).elapsed == 2.0
    assert book.snapshot(HEAD, ICMP, 7 * NS, range(1, 2), replace(PROGRESS, elapsed=9.5)).elapsed == 9.5
    assert book.snapshot(HEAD, ICMP, 3 * NS, range(1, 2), PROGRESS).elapsed == 0.0  # never negative


def test_a_remote_trace_counts_the_probes_of_its_hops() -> None:
    book = StatsBook()
    for ttl in (1, 2, 2):
        book.add(answered(ttl), 0)
    assert book.snapshot(HEAD, ICMP, 0, range(1, 3), replace(PROGRESS, probes_sent=None)).probes_sent == 3
    assert book.snapshot(HEAD, ICMP, 0, range(1, 3), PROGRESS).probes_sent == 7


def test_head_progress_and_every_setting_reach_the_snapshot() -> None:
    book = StatsBook()
    book.add(answered(1), 0)
    book.add(answered(1, TCP), 0)
    snap = book.snapshot(HEAD, TCP, 0, range(0), replace(PROGRESS, reached=True, path_length=4))
    assert (snap.host, snap.target, snap.mode) == ("example.test", "192.0.2.9", Mode.SIMULATED)
    assert snap.setting == TCP
    assert (snap.rounds, snap.reached, snap.path_length, snap.dropped) == (3, True, 4, 2)
    assert snap.hops == ()
    assert snap.settings == (ICMP, TCP)


def test_run_state_finished_wins_over_paused() -> None:
    assert run_state(finished=True, paused=True) is RunState.FINISHED
    assert run_state(finished=False, paused=True) is RunState.PAUSED
    assert run_state(finished=False, paused=False) is RunState.RUNNING
