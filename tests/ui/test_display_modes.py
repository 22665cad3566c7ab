"""Display modes (``d``): the table, a history strip per hop, an RTT chart of the selected hop."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from bench.ui_cost import SnapshotEngine
from tuitrace.stats.snapshot import HopSnapshot, RttSummary
from tuitrace.ui.app import TraceApp
from tuitrace.ui.format import SPARK_LEVELS
from tuitrace.ui.widgets.display_mode import DisplayMode, next_chosen_ttl
from tuitrace.ui.widgets.history_strip import (
    ABOVE,
    ABOVE_LEVEL,
    LOST,
    glyph,
    level,
    scale_top,
    strip_cells,
)
from tuitrace.ui.widgets.rtt_chart import BRAILLE, chart_lines

from .fake_engine import FakeEngine
from .test_snapshots import SnapCompare, lab_engine


def test_strip_cells_are_right_aligned_scaled_and_mark_losses() -> None:
    history = [1.0, None, 8.0, 4.0]
    assert strip_cells(history, 6, 0, 8.0) == (None, None, 0, -1, 7, 3)
    assert strip_cells(history, 2, 2, 8.0) == (0, -1)  # two rounds back: the older half
    assert level(None, 8.0) == -1
    assert level(8.0, 8.0) == len(SPARK_LEVELS) - 1


def test_one_spike_does_not_flatten_the_scale() -> None:
    values: list[float | None] = [float(1 + i % 8) for i in range(60)]
    values += [900.0, None]
    top = scale_top(values)
    assert top == 8.0  # the 98th percentile, not the spike
    assert level(900.0, top) == ABOVE_LEVEL and glyph(ABOVE_LEVEL)[0] == ABOVE
    assert {level(v, top) for v in values if v is not None and v <= 8} == set(range(8))  # every bar used


def test_chart_draws_the_points_the_average_and_the_losses() -> None:
    history = (10.0, 10.0, 50.0, None, 10.0, 10.0)
    hop = HopSnapshot(ttl=3, sent=6, received=5, responders=(), history=history,
                      rtt=RttSummary(count=5, avg_ms=18.0, best_ms=10.0, worst_ms=50.0, last_ms=10.0))
    lines = ["".join(text for text, _ in pieces) for pieces in chart_lines(hop, 80, 12)]
    assert lines[0].startswith("RTT of hop 3")
    assert "best 10.0" in lines[0] and "avg 18.0" in lines[0] and "worst 50.0" in lines[0]
    assert "loss 1/6" in lines[0]
    plot = lines[1:-2]
    assert plot[0].strip().startswith("50.0┤")  # the axis runs from the lowest to the highest RTT
    assert plot[-1].strip().startswith("10.0┤")
    assert any(line.strip().startswith("avg 18.0┤") for line in plot)
    assert any(BRAILLE < ord(ch) < BRAILLE + 256 for line in plot for ch in line)
    loss_row = lines[-2]
    assert loss_row.strip().startswith("lost┤")
    assert loss_row.split("┤", 1)[1] == " " + LOST + " "  # 6 probes, 3 columns: the 4th is in the 2nd


async def test_d_cycles_table_strip_chart_and_back(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.display_mode is DisplayMode.TABLE
        await pilot.press("d")
        await pilot.pause()
        assert app.display_mode.value == "strip"
        assert app.history_strip.display and not app.rtt_chart.display
        lines = app.history_strip.plain_lines()
        assert lines[0].startswith("History, one cell per round")
        assert "lost" in lines[1] and SPARK_LEVELS[0] in lines[1]
        assert lines[4].startswith("  3. ??? 100%") and lines[4].endswith(LOST * 6)
        await pilot.press("d")
        await pilot.pause()
        assert app.display_mode.value == "chart"
        assert app.rtt_chart.plain_lines()[0].startswith("RTT of hop 5  10.0.9.2")  # the last hop
        await pilot.press("up")  # another hop
        await pilot.pause()
        assert app.rtt_chart.plain_lines()[0].startswith("RTT of hop 4  10.0.4.1")
        await pilot.press("d")
        await pilot.pause()
        assert app.display_mode.value == "table"
        assert not app.rtt_chart.display


async def test_the_chart_shows_the_hop_selected_in_the_table(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "d", "d")
        await pilot.pause()
        assert app.rtt_chart.plain_lines()[0].startswith("RTT of hop 1  10.0.1.1")


async def test_brackets_scroll_the_strip_back_through_the_history() -> None:
    engine = lab_engine()
    engine.advance(100)  # the fake keeps 40 rounds: more than fit at 60 columns
    app = TraceApp(engine)
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        newest = app.history_strip.lines[0].cells
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app.history_strip.back > 0
        assert "rounds ago" in app.history_strip.plain_lines()[0]
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.history_strip.back == 0
        assert app.history_strip.lines[0].cells == newest


def test_history_strip_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(TraceApp(lab_engine()), terminal_size=(80, 24), press=["d"])


def test_rtt_chart_80x24(snap_compare: SnapCompare) -> None:
    async def choose(pilot: Pilot[Any]) -> None:
        await pilot.press("d", "d", "up")
        await pilot.pause()

    assert snap_compare(TraceApp(lab_engine()), terminal_size=(80, 24), run_before=choose)


async def test_up_and_down_choose_the_hop_and_the_strip_follows_it_on_a_long_path() -> None:
    engine = SnapshotEngine()  # 30 hops: more than fit at 80x24
    app = TraceApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await pilot.pause()
        assert app.history_strip.scroll_y == 0
        await pilot.press("up")  # from nothing chosen, up chooses the last hop
        await pilot.pause()
        assert app.chosen_ttl == 30
        assert app.history_strip.scroll_y > 0  # scrolled down to it
        await pilot.press(*["up"] * 29)
        await pilot.pause()
        assert app.chosen_ttl == 1 and app.history_strip.scroll_y == 0


def test_next_chosen_ttl_moves_from_the_shown_hop_and_stops_at_the_ends() -> None:
    snapshot = lab_engine().snapshot()  # hops 1-5
    assert next_chosen_ttl(snapshot, None, -1, 5) == 4  # the chart showed hop 5: up goes to 4
    assert next_chosen_ttl(snapshot, None, -1, None) == 5
    assert next_chosen_ttl(snapshot, None, 1, None) == 1
    assert next_chosen_ttl(snapshot, 1, -1, None) == 1
    assert next_chosen_ttl(snapshot, 5, 1, None) == 5


def test_history_strip_under_no_color_80x24(snap_compare: SnapCompare,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # bar heights and the cross still tell levels and losses apart
    assert snap_compare(TraceApp(lab_engine()), terminal_size=(80, 24), press=["d"])
