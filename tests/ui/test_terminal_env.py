"""The terminal the app meets: resizes in both directions, NO_COLOR and TERM=dumb."""

from __future__ import annotations

import re

import pytest

from tuitrace.ui.app import TraceApp

from .fake_engine import FakeEngine
from .helpers import row_keys, table

WINDOW_BUTTONS = {"ff5f57", "febc2e", "28c840", "c5c8c6"}
"""The SVG export's own frame (three window buttons, the title colour), whatever the app shows."""


def column_keys(app: TraceApp) -> list[str]:
    return [column.key for column in table(app).columns_shown]


async def test_resizes_show_more_columns_and_never_lose_hops(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        hops = row_keys(app)
        assert "hist" not in column_keys(app)
        await pilot.resize_terminal(160, 50)
        app.refresh_view()
        await pilot.pause()
        assert "hist" in column_keys(app)
        assert row_keys(app) == hops
        await pilot.resize_terminal(50, 12)
        app.refresh_view()
        await pilot.pause()
        assert row_keys(app) == hops
        assert {"ttl", "host", "loss"} <= set(column_keys(app))


async def test_no_color_draws_in_shades_of_grey(engine: FakeEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = TraceApp(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        svg = app.export_screenshot()
    colours = set(re.findall(r"#([0-9a-f]{6})\b", svg.lower()))
    assert colours
    colours -= WINDOW_BUTTONS
    assert all(c[0:2] == c[2:4] == c[4:6] for c in colours), sorted(colours)


async def test_colours_are_there_without_no_color(
    engine: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = TraceApp(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        svg = app.export_screenshot()
    colours = set(re.findall(r"#([0-9a-f]{6})\b", svg.lower()))
    assert any(not (c[0:2] == c[2:4] == c[4:6]) for c in colours - WINDOW_BUTTONS)


async def test_term_dumb_draws_in_shades_of_grey_like_no_color(
    engine: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "dumb")
    app = TraceApp(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        svg = app.export_screenshot()
    colours = set(re.findall(r"#([0-9a-f]{6})\b", svg.lower())) - WINDOW_BUTTONS
    assert colours
    assert all(c[0:2] == c[2:4] == c[4:6] for c in colours), sorted(colours)
