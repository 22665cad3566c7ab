"""RTT statistics and per-responder bookkeeping, checked against the standard library's definitions."""

from __future__ import annotations

import itertools
import statistics

from hypothesis import given
from hypothesis import strategies as st

from tuitrace.config import Protocol, Setting
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.stats.hop import HISTORY, MAX_RESPONDERS, HopStats
from tuitrace.stats.rtt import RttAccumulator
from tuitrace.stats.trace import TraceStats

ICMP = Setting(Protocol.ICMP, None)


def result(ttl: int, responder: str | None, rtt_ms: float | None, **kw: object) -> ProbeResult:
    outcome = Outcome.LOST if responder is None else Outcome.TIME_EXCEEDED
    return ProbeResult(
        key=0,
        setting=ICMP,
        ttl=ttl,
        round=0,
        outcome=kw.pop("outcome", outcome),  # type: ignore[arg-type]
        responder=responder,
        rtt_ns=None if rtt_ms is None else int(rtt_ms * 1e6),
        **kw,  # type: ignore[arg-type]
    )


@given(st.lists(st.floats(min_value=0.001, max_value=5000, allow_nan=False), min_size=2, max_size=200))
def test_rtt_summary_matches_statistics_module(values: list[float]) -> None:
    acc = RttAccumulator()
    for value in values:
        acc.add(value)
    summary = acc.summary()
    assert summary.count == len(values)
    assert summary.avg_ms is not None and abs(summary.avg_ms - statistics.fmean(values)) < 1e-6 * max(values)
    assert summary.stdev_ms is not None
    assert abs(summary.stdev_ms - statistics.stdev(values)) < 1e-6 * max(values) + 1e-9
    assert summary.best_ms == min(values) and summary.worst_ms == max(values)
    assert summary.last_ms == values[-1]
    jitters = [abs(b - a) for a, b in itertools.pairwise(values)]
    assert summary.jitter_ms is not None and abs(summary.jitter_ms - jitters[-1]) < 1e-9
    assert summary.jitter_max_ms == max(jitters)
    assert summary.jitter_avg_ms is not None and abs(summary.jitter_avg_ms - statistics.fmean(jitters)) < 1e-6


def test_empty_summary_has_no_numbers() -> None:
    summary = RttAccumulator().summary()
    assert summary.count == 0 and summary.avg_ms is None and summary.stdev_ms is None


def test_ecmp_hop_keeps_each_responder_apart() -> None:
    hop = HopStats(2)
    for i in range(10):
        hop.add(result(2, "10.0.0.1" if i % 3 else "10.0.0.2", 1.0 + i % 3))
    hop.add(result(2, None, None))
    snap = hop.snapshot()
    assert (snap.sent, snap.received) == (11, 10)
    assert round(snap.loss_pct, 1) == 9.1
    by_address = {r.address: r for r in snap.responders}
    assert by_address["10.0.0.1"].received == 6 and by_address["10.0.0.2"].received == 4
    assert by_address["10.0.0.2"].rtt.avg_ms == 1.0
    assert round(by_address["10.0.0.1"].share_pct) == 60
    assert [r.address for r in snap.responders] == ["10.0.0.2", "10.0.0.1"]  # first answered first


def test_annotations_stay_with_the_responder_that_sent_them() -> None:
    hop = HopStats(3)
    hop.add(result(3, "10.0.0.1", 1.0))
    hop.add(result(3, "10.0.0.9", 1.0, outcome=Outcome.UNREACHABLE, annotation="!X"))
    marks = {r.address: r.annotations for r in hop.snapshot().responders}
    assert marks == {"10.0.0.1": (), "10.0.0.9": ("!X",)}


def test_memory_is_bounded_however_many_probes_and_responders() -> None:
    hop = HopStats(1)
    for i in range(20_000):
        hop.add(result(1, f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", 1.0))
    snap = hop.snapshot()
    assert len(snap.responders) == MAX_RESPONDERS
    assert len(snap.history) == HISTORY
    assert snap.received == 20_000


def test_trim_forgets_rows_beyond_the_end_and_keeps_the_rest() -> None:
    trace = TraceStats(ICMP, 0)
    for ttl in (1, 2, 3, 6, 7):
        trace.add(result(ttl, "192.0.2.1", 1.0))
    trace.trim(3)
    assert [(hop.ttl, hop.received) for hop in trace.hop_snapshots(1, 7)] == [
        (1, 1), (2, 1), (3, 1), (4, 0), (5, 0), (6, 0), (7, 0)
    ]
