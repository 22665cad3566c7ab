"""What the hop table draws on screen while it scrolls and refreshes.

The table formats and draws only the rows on screen, so these tests read the drawn lines, not the table's
data: a row that comes into view must show the latest numbers, a refresh must reach the screen, and the
header (redrawn without a layout while its height stays) must make room when its text wraps.
"""

from __future__ import annotations

from functools import partial

from tuitrace.ui.app import TraceApp
from tuitrace.ui.widgets.header import header_text
from tuitrace.ui.widgets.hop_rows import build_rows

from .fake_engine import FakeEngine
from .helpers import header_lines, table, table_lines

SMALL = (80, 10)
"""Header 3 lines, footer 1: the table shows its titles and 5 of the 7 rows of the fake path."""


def words(text: str) -> str:
    """``text`` with every run of blanks (and line breaks of a wrapped line) as one space."""
    return " ".join(text.split())


def fresh(app: TraceApp, key: str) -> list[str]:
    """The words of row ``key`` built afresh from the engine's current snapshot (no table involved)."""
    rows = build_rows(app.engine.snapshot(), table(app).columns_shown, app.view)
    return " ".join(cell.text for cell in next(r for r in rows if r.key == key).cells).split()


def line_of(app: TraceApp, ttl: int) -> list[str] | None:
    """The words of the hop's line as drawn now, or None when the hop is not on screen."""
    for line in table_lines(app):
        words = line.split()
        if words and words[0] == f"{ttl}.":
            return words
    return None


async def test_rows_scrolled_into_view_show_the_latest_numbers(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=SMALL) as pilot:
        assert line_of(app, 5) is None
        engine.advance(5)
        app.refresh_view()
        await pilot.pause()
        await pilot.press("ctrl+end")
        await pilot.pause()
        words = line_of(app, 5)
        assert words is not None
        assert words[1:4] == ["10.0.9.2", "0.0%", "11"]
        assert words == fresh(app, "hop-5")
        engine.advance(1)
        app.refresh_view()
        await pilot.pause()
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert line_of(app, 1) == fresh(app, "hop-1")
        assert fresh(app, "hop-1")[3] == "12"


async def test_each_refresh_reaches_the_lines_on_screen(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=SMALL) as pilot:
        before = line_of(app, 1)
        assert before is not None
        assert before[3] == "6"
        engine.advance(1)
        app.refresh_view()
        await pilot.pause()
        after = line_of(app, 1)
        assert after is not None
        assert after[3] == "7"
        assert table_lines(app)[3].split()[1:4] == ["10.0.2.1", "57%", "4"]  # its branch answered round 7


async def test_scrolling_keys_move_the_table(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=SMALL) as pilot:
        assert table_lines(app)[1].startswith("  1.")
        await pilot.press("pagedown")
        await pilot.pause()
        assert line_of(app, 5) is not None
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert table_lines(app)[1].startswith("  1.")
        # down selects rows (for Enter); past the last row on screen it scrolls the table
        await pilot.press(*["down"] * 6)
        await pilot.pause()
        assert table_lines(app)[1].startswith("  2.")
        assert line_of(app, 4) is not None


async def test_scrolling_keys_take_effect_at_once_without_animation(engine: FakeEngine) -> None:
    """What a scroll key does is on screen at once: no frames of an animation in between (which Pilot
    could not reliably wait for: an animation that starts after the next refresh was not there yet)."""
    app = TraceApp(engine)
    async with app.run_test(size=SMALL) as pilot:
        hop_table = table(app)
        bottom = hop_table.max_scroll_y
        assert bottom > 0
        keys = (("ctrl+end", hop_table.action_last_row, bottom), ("ctrl+home", hop_table.action_first_row, 0),
                ("pagedown", partial(hop_table.action_page, 1), bottom),
                ("pageup", partial(hop_table.action_page, -1), 0))
        for key, action, where in keys:
            action()  # what the key runs; no await, no pause: it must have taken effect already
            assert (hop_table.scroll_y, hop_table.scroll_target_y) == (where, where), key
            assert not app.animator.is_being_animated(hop_table, "scroll_y"), key
        await pilot.pause()


async def test_a_narrow_window_scrolls_sideways_with_end_and_home(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(18, 14)) as pilot:
        assert table_lines(app)[1].startswith("  1. 10.0.1.1")
        await pilot.press("end")
        await pilot.pause()
        shifted = table_lines(app)[1]
        assert not shifted.startswith("  1.")
        assert "10.0.1.1" in shifted
        await pilot.press("home")
        await pilot.pause()
        assert table_lines(app)[1].startswith("  1. 10.0.1.1")


async def test_a_new_protocol_shows_its_table_from_the_top(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert line_of(app, 1) is None
        await pilot.press("u")
        engine.advance(2)
        app.refresh_view()
        await pilot.pause()
        assert table(app).scroll_offset.y == 0
        assert line_of(app, 1) is not None


async def test_the_header_takes_another_line_when_its_text_wraps_and_the_table_moves_down(
        engine: FakeEngine) -> None:
    second = header_text(engine.snapshot()).plain.splitlines()[1]  # "round 6  elapsed 0:06  running, ..."
    width = len(second) + 2  # the header's padding: round 6 just fits, round 10 needs one more line
    app = TraceApp(engine)
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause()
        lines_before = len(header_lines(app))
        engine.advance(4)
        app.refresh_view()
        await pilot.pause()
        shown = header_lines(app)
        assert len(shown) == lines_before + 1
        assert words(header_text(engine.snapshot()).plain.splitlines()[1]) in words(" ".join(shown))
        assert table_lines(app)[0].split()[:2] == ["Host", "Loss%"]
        assert table(app).region.y == app.query_one("#header").region.bottom
