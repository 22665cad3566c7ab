"""What the hop table shows for a snapshot, at the widths users run it in."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tuitrace.config import Protocol
from tuitrace.ui.format import SPARK_LOST, sparkline
from tuitrace.ui.widgets.hop_columns import AS_FITS, as_column_wanted, plan_columns
from tuitrace.ui.widgets.hop_rows import HopRowMemo, Row, View, build_rows, plan_rows

from .fake_engine import FakeEngine
from .fakes import FakeEnricher, Info


def host(row: Row, columns: tuple[str, ...]) -> str:
    return row.cells[columns.index("host")].text.strip()


def cell(row: Row, columns: tuple[str, ...], key: str) -> str:
    return row.cells[columns.index(key)].text.strip()


@pytest.mark.parametrize("width", [80, 100, 120, 200, 300])
@pytest.mark.parametrize("show_as", [False, True])
def test_columns_fit_the_terminal(width: int, show_as: bool) -> None:
    columns = plan_columns(width, show_as)
    assert sum(c.width for c in columns) <= width
    keys = [c.key for c in columns]
    assert keys[:6] == ["ttl", "host", "loss", "snt", "last", "avg"]
    assert ("as" in keys) == show_as


def test_narrow_terminal_keeps_the_mtr_columns_and_wide_one_adds_history() -> None:
    narrow = [c.key for c in plan_columns(80, False)]
    assert narrow == ["ttl", "host", "loss", "snt", "last", "avg", "best", "wrst", "stdev", "jttr"]
    wide = [c.key for c in plan_columns(120, False)]
    assert "hist" in wide
    assert "jttr" in wide


def test_the_as_column_shows_by_itself_only_where_every_other_column_fits_too() -> None:
    assert not as_column_wanted(None, 80, lookups=True)
    assert as_column_wanted(None, 200, lookups=True)
    assert not as_column_wanted(None, 200, lookups=False), "nothing could fill it"
    assert as_column_wanted(True, 80, lookups=False), "z shows it anyway"
    assert not as_column_wanted(False, 200, lookups=True), "z hides it anyway"
    narrowest = next(w for w in range(80, 300) if as_column_wanted(None, w, lookups=True))
    every = ["ttl", "host", "loss", "snt", "last", "avg", "best", "wrst", "stdev", "jttr", "as", "hist"]
    assert [c.key for c in plan_columns(narrowest, True)] == every
    assert "hist" not in [c.key for c in plan_columns(narrowest - 1, True)]


def test_the_readme_says_from_how_many_columns_the_as_column_shows() -> None:
    """Issue 9.17: the README promised the column "in wide terminals" while it never showed by itself."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"AS / place column (by itself from {AS_FITS} columns" in " ".join(readme.split())
    assert as_column_wanted(None, AS_FITS, lookups=True)
    assert not as_column_wanted(None, AS_FITS - 1, lookups=True)


def test_silent_hop_shows_question_marks_and_trace_continues() -> None:
    engine = FakeEngine()
    engine.advance(4)
    columns = plan_columns(120, False)
    keys = tuple(c.key for c in columns)
    rows = build_rows(engine.snapshot(), columns, View())
    by_key = {r.key: r for r in rows}
    assert host(by_key["hop-3"], keys) == "???"
    assert cell(by_key["hop-3"], keys, "loss") == "100%"
    assert host(by_key["hop-5"], keys) == "10.0.9.2"
    assert cell(by_key["hop-4"], keys, "loss") == "25.0%"


def test_ecmp_hop_lists_each_responder_with_its_share_under_the_aggregate() -> None:
    engine = FakeEngine()
    engine.advance(4)
    columns = plan_columns(120, False)
    keys = tuple(c.key for c in columns)
    rows = build_rows(engine.snapshot(), columns, View())
    order = [r.key for r in rows]
    assert order[1:4] == ["hop-2", "hop-2-10.0.2.1", "hop-2-10.0.3.1"]
    by_key = {r.key: r for r in rows}
    assert cell(by_key["hop-2"], keys, "snt") == "4"
    assert "2 responders" in host(by_key["hop-2"], keys)
    assert host(by_key["hop-2-10.0.2.1"], keys) == "├ 10.0.2.1 50%"
    assert host(by_key["hop-2-10.0.3.1"], keys) == "└ 10.0.3.1 50%"
    assert cell(by_key["hop-2-10.0.3.1"], keys, "snt") == "2"

    collapsed = build_rows(engine.snapshot(), columns, View(expand_ecmp=False))
    assert [r.key for r in collapsed] == ["hop-1", "hop-2", "hop-3", "hop-4", "hop-5"]
    assert host(collapsed[1], keys) == "10.0.2.1 +1"


def test_annotation_is_shown_on_the_responder_that_sent_it_even_when_the_name_is_cut() -> None:
    engine = FakeEngine()
    engine.set_protocol(Protocol.TCP, 389)
    engine.advance(2)
    long_name = "a-very-long-router-name.filtering.example.net"
    enricher = FakeEnricher({"10.0.4.1": Info(hostname=long_name)})
    columns = plan_columns(80, False)
    keys = tuple(c.key for c in columns)
    rows = build_rows(engine.snapshot(), columns, View(), enricher.get)
    shown = host(rows[-1], keys)
    assert rows[-1].key == "hop-4"
    assert shown.endswith("!X")
    assert shown.startswith("a-very-long")
    assert all("!X" not in host(r, keys) for r in rows[:-1])


def test_names_can_be_turned_off_and_as_column_shows_as_and_place() -> None:
    engine = FakeEngine()
    engine.advance(1)
    enricher = FakeEnricher({"10.0.1.1": Info(hostname="gw.lab", asn=64500, as_name="LAB-NET",
                                              city="Utrecht", country="NL")})
    columns = plan_columns(200, True)
    keys = tuple(c.key for c in columns)
    named = build_rows(engine.snapshot(), columns, View(names=True, show_as=True), enricher.get)
    numeric = build_rows(engine.snapshot(), columns, View(names=False, show_as=True), enricher.get)
    assert host(named[0], keys) == "gw.lab (10.0.1.1)"
    assert host(numeric[0], keys) == "10.0.1.1"
    assert cell(named[0], keys, "as") == "AS64500 LAB-NET Utrecht, NL"


def test_sparkline_marks_lost_probes_and_keeps_the_latest() -> None:
    assert sparkline([1.0, None, 2.0], 10) == f"▄{SPARK_LOST}█"
    assert sparkline([9.0] * 10 + [5.0] * 50, 8) == "█" * 8
    assert sparkline([], 5) == ""


def test_history_bars_compare_hops_on_one_scale() -> None:
    engine = FakeEngine()
    engine.advance(3)
    columns = plan_columns(160, False)
    keys = tuple(c.key for c in columns)
    rows = {r.key: r for r in build_rows(engine.snapshot(), columns, View())}
    first, last = cell(rows["hop-1"], keys, "hist"), cell(rows["hop-5"], keys, "hist")
    assert len(first) == len(last) == 3
    assert all(a < b for a, b in zip(first, last, strict=True))
    assert cell(rows["hop-3"], keys, "hist") == SPARK_LOST * 3


def test_rows_kept_from_the_previous_refresh_are_the_rows_a_fresh_build_shows() -> None:
    """The table reuses rows whose inputs did not change; what it shows must not depend on that."""
    engine = FakeEngine()
    enricher = FakeEnricher({})
    memo = HopRowMemo()
    columns = plan_columns(120, False)
    steps: list[tuple[str, object]] = [
        ("advance", 1), ("same", None), ("advance", 1), ("name", "r4.lab"), ("advance", 3),
        ("view", View(expand_ecmp=False)), ("advance", 1), ("view", View(names=False)), ("same", None),
        ("protocol", Protocol.UDP), ("advance", 2), ("protocol", Protocol.ICMP), ("name", "router-4.lab"),
    ]
    view = View()
    reused = 0
    previous: dict[str, object] = {}
    for action, arg in steps:
        if action == "advance":
            assert isinstance(arg, int)
            engine.advance(arg)
        elif action == "name":
            enricher.known["10.0.4.1"] = Info(hostname=str(arg))
        elif action == "view":
            assert isinstance(arg, View)
            view = arg
        elif action == "protocol":
            assert isinstance(arg, Protocol)
            engine.set_protocol(arg, None)
        planned = plan_rows(engine.snapshot(), columns, view, enricher.get, memo)
        assert [lazy.row for lazy in planned] == build_rows(engine.snapshot(), columns, view, enricher.get)
        reused += sum(previous.get(lazy.key) is lazy for lazy in planned)
        previous = {lazy.key: lazy for lazy in planned}
    assert reused > 0, "some refreshes changed nothing, so some rows were kept"


def test_a_new_ecmp_responder_takes_the_last_branch_mark_on_the_next_refresh() -> None:
    engine = FakeEngine()
    engine.advance(4)
    columns = plan_columns(120, False)
    keys = tuple(c.key for c in columns)
    memo = HopRowMemo()
    before = engine.snapshot()
    plan_rows(before, columns, View(), None, memo)
    hop = before.hops[1]
    third = replace(hop.responders[0], address="10.0.5.1")
    after = replace(before, hops=(before.hops[0], replace(hop, responders=(*hop.responders, third)),
                                  *before.hops[2:]))
    rows = {lazy.key: lazy.row for lazy in plan_rows(after, columns, View(), None, memo)}
    assert host(rows["hop-2-10.0.3.1"], keys).startswith("├ ")
    assert host(rows["hop-2-10.0.5.1"], keys).startswith("└ ")
