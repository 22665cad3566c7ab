"""The event log on screen: ``l`` shows it under the table, newest first, and hides it again; the header
shows a new event for a few seconds without any key."""

from __future__ import annotations

from tuitrace.timeline.events import Event, EventKind
from tuitrace.ui.app import NEWS_SECONDS, TraceApp
from tuitrace.ui.widgets.header import TraceHeader

from .fake_engine import FakeEngine

REACHED = Event("2026-12-01T14:00:59.000Z", 0.0, EventKind.REACHED, 5, "10.0.9.2", None,
                "The destination 10.0.9.2 answers at hop 5.")
CHANGE = Event("2026-12-01T14:02:11.204Z", 72.4, EventKind.PATH_CHANGE, 2, "10.0.2.7", None,
               "The route changed at hop 2: 10.0.2.1 was replaced by 10.0.2.7.")


async def test_l_shows_the_events_newest_first_and_hides_them(engine: FakeEngine) -> None:
    engine.recorded_events.extend([REACHED, CHANGE])
    app = TraceApp(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.event_pane
        assert not pane.display
        await pilot.press("l")
        await pilot.pause()
        assert pane.display and pane.size.height > 0
        lines = pane.plain.splitlines()
        assert lines[0].startswith("Events (2)")
        assert lines[1].startswith("14:02:11.204  +72.4 s  path_change") and "hop 2" in lines[1]
        assert lines[2].startswith("14:00:59.000") and "reached" in lines[2]
        await pilot.press("l")
        await pilot.pause()
        assert not pane.display


async def test_the_pane_follows_new_events_while_shown(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert "nothing has happened yet" in app.event_pane.plain
        engine.recorded_events.append(CHANGE)
        app.refresh_view()
        assert CHANGE.text in app.event_pane.plain


async def test_the_header_shows_a_new_event_for_a_few_seconds(engine: FakeEngine) -> None:
    now = [1000.0]
    app = TraceApp(engine)
    app.clock = lambda: now[0]
    async with app.run_test(size=(120, 40)):
        header = app.query_one(TraceHeader)
        app.refresh_view()
        assert "event:" not in header.plain
        engine.recorded_events.append(CHANGE)
        app.refresh_view()
        assert f"event: path_change hop 2: {CHANGE.text}" in header.plain
        now[0] += NEWS_SECONDS - 1
        engine.advance()
        app.refresh_view()
        assert "path_change" in header.plain
        now[0] += 2
        engine.advance()
        app.refresh_view()
        assert "event:" not in header.plain


async def test_the_header_still_shows_news_once_the_engine_keeps_only_its_last_events(
        engine: FakeEngine) -> None:
    """The engine keeps the last 1000 events: once full, their number stays the same while new ones come."""
    now = [1000.0]
    app = TraceApp(engine)
    app.clock = lambda: now[0]
    async with app.run_test(size=(120, 40)):
        header = app.query_one(TraceHeader)
        engine.recorded_events.extend([REACHED] * 3)
        app.refresh_view()
        now[0] += NEWS_SECONDS + 1
        engine.advance()
        app.refresh_view()
        assert "event:" not in header.plain
        engine.recorded_events[:] = [*engine.recorded_events[1:], CHANGE]  # as many as before, one new
        engine.advance()
        app.refresh_view()
        assert f"event: path_change hop 2: {CHANGE.text}" in header.plain
