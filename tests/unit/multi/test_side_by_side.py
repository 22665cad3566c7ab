"""The paths of several traces side by side: rows by TTL, a column per trace, shared routers marked."""

from __future__ import annotations

import dataclasses

from tests.ui.fake_engine import FILTERED, FakeEngine
from tuitrace.report.multi import TargetOutcome, multi_text
from tuitrace.report.sidebyside import LEGEND, MOST_BESIDE, side_by_side, side_by_side_lines
from tuitrace.stats.snapshot import TraceSnapshot


def snapshot(rounds: int = 4, *, tcp_389: bool = False) -> TraceSnapshot:
    engine = FakeEngine(host="alpha")
    if tcp_389:
        engine.set_protocol(FILTERED.protocol, FILTERED.port)
    engine.advance(rounds)
    return engine.snapshot()


def elsewhere(snap: TraceSnapshot) -> TraceSnapshot:
    """The same path with its first router another one (a vantage point with its own way out)."""
    first = snap.hops[0]
    responder = dataclasses.replace(first.responders[0], address="192.0.2.77")
    hop = dataclasses.replace(first, responders=(responder,))
    return dataclasses.replace(snap, hops=(hop, *snap.hops[1:]))


def test_one_target_from_three_places_reads_across_each_ttl() -> None:
    outcomes = [TargetOutcome("alpha", snapshot(), vantage="local"),
                TargetOutcome("alpha from ops@jump1", elsewhere(snapshot()), vantage="ops@jump1"),
                TargetOutcome("alpha from jump2", snapshot(tcp_389=True), vantage="jump2")]
    table = side_by_side(outcomes)
    assert table is not None and table.titles == ("here", "ops@jump1", "jump2")
    assert [ttl for ttl, _ in table.rows] == [1, 2, 3, 4, 5]
    by_ttl = dict(table.rows)
    here, jump1, jump2 = by_ttl[1]
    assert here.startswith("=10.0.1.1 ") and jump2.startswith("=10.0.1.1 ")  # shared with jump2
    assert jump1.startswith("192.0.2.77 0% ")  # its own way out: nobody else's router
    assert by_ttl[3] == ("*", "*", "*")  # the silent hop
    assert by_ttl[2][0].startswith("=10.0.") and " +1 " in by_ttl[2][0]  # ECMP: two routers at TTL 2
    assert "!X" in by_ttl[4][2] and by_ttl[5][2] == ""  # TCP/389 ends at hop 4
    assert by_ttl[5][0].startswith("=10.0.9.2 ")


def test_several_targets_are_titled_by_target_and_one_trace_has_nothing_beside_it() -> None:
    beta = dataclasses.replace(snapshot(), target="10.0.9.3")
    outcomes = [TargetOutcome("alpha", snapshot()), TargetOutcome("beta", beta, vantage="jump1"),
                TargetOutcome("alpha from jump2", beta, vantage="jump2"),
                TargetOutcome("gamma", None, error="cannot resolve 'gamma'")]
    table = side_by_side(outcomes)
    assert table is not None and table.titles == ("alpha", "beta from jump1", "alpha from jump2")
    assert side_by_side(outcomes[:1]) is None and side_by_side_lines(outcomes[:1]) == []


def test_the_text_report_prints_the_block_with_its_legend() -> None:
    outcomes = [TargetOutcome("alpha", snapshot(), vantage="local"),
                TargetOutcome("alpha", elsewhere(snapshot()), vantage="ops@jump1")]
    lines = side_by_side_lines(outcomes)
    assert lines[0] == "Paths side by side" and lines[-1] == f"  ({LEGEND})"
    assert lines[1].split() == ["TTL", "here", "ops@jump1"]
    assert lines[2].split()[:2] == ["1", "10.0.1.1"] and "192.0.2.77" in lines[2]
    assert "\n".join(lines) in multi_text(outcomes)


def test_at_most_six_traces_stand_side_by_side_and_the_legend_counts_the_others() -> None:
    outcomes = [TargetOutcome("alpha", snapshot(), vantage="local"),
                *(TargetOutcome(f"alpha from atlas:{n}", snapshot(), vantage=f"atlas:{n}")
                  for n in range(60))]
    table = side_by_side(outcomes)
    assert table is not None and len(table.titles) == MOST_BESIDE and table.left_out == 61 - MOST_BESIDE
    assert table.titles[:2] == ("here", "atlas:0")
    assert side_by_side_lines(outcomes)[-1] == f"  ({LEGEND}; 55 more traces in their own tabs and entries)"
