"""Several targets on screen: the overview tab, one tab per target, and keys that act on the right engine."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.geometry import Region
from textual.widgets import Static

from tuitrace.config import Protocol
from tuitrace.stats.snapshot import RunState
from tuitrace.ui.options import UiOptions
from tuitrace.ui.tabs import MultiTraceApp, TabsHelpScreen, Target, overview_table
from tuitrace.ui.widgets.hop_table import HopTable

from .fake_engine import FakeEngine
from .helpers import cells, header


def engines() -> tuple[FakeEngine, FakeEngine]:
    first = FakeEngine(host="alpha", target="10.0.9.2")
    second = FakeEngine(host="beta", target="10.0.9.3")
    first.advance(6)
    second.advance(2)
    return first, second


def static_text(app: MultiTraceApp, selector: str) -> str:
    """What a Static shows on screen now, line by line, trailing blanks cut."""
    widget = app.query_one(selector, Static)
    width, height = widget.size
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height)))


def the_app(*extra: Target) -> tuple[MultiTraceApp, FakeEngine, FakeEngine]:
    first, second = engines()
    return MultiTraceApp([Target("alpha", first), Target("beta", second), *extra]), first, second


async def test_the_overview_has_a_line_per_target_with_its_destination_numbers() -> None:
    app, first, _second = the_app(Target("gamma.invalid", None, "cannot resolve 'gamma.invalid'"))
    async with app.run_test(size=(160, 30)):
        text = static_text(app, "#overview")
        alpha = next(line for line in text.splitlines() if "alpha" in line)
        beta = next(line for line in text.splitlines() if "beta" in line)
        gamma = next(line for line in text.splitlines() if "gamma" in line)
        # the fake destination (TTL 5) answers every probe: 0% loss; its avg is the mean of its RTTs
        dest = first.snapshot().hops[-1]
        assert "10.0.9.2" in alpha and " yes " in alpha and " 5 " in alpha and "0.0" in alpha
        assert f"{dest.rtt.avg_ms:.2f}" in alpha
        assert "10.0.9.3" in beta
        assert "not traced: cannot resolve 'gamma.invalid'" in gamma
        assert not app.query_one(HopTable).display


async def test_number_keys_show_a_targets_own_table_and_tab_steps_through() -> None:
    app, _first, _second = the_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("1")
        assert app.query_one(HopTable).display
        assert header(app).startswith("alpha (10.0.9.2)")
        assert cells(app, "hop-1")["snt"] == "6"
        await pilot.press("2")
        assert header(app).startswith("beta (10.0.9.3)")
        assert cells(app, "hop-1")["snt"] == "2"
        await pilot.press("tab")
        assert app.tab == 0  # from the last target back to the overview
        await pilot.press("shift+tab")
        assert app.tab == 2
        await pilot.press("7")
        assert app.tab == 2  # no such tab: nothing changes


async def test_keys_on_a_tab_act_on_that_target_only() -> None:
    app, first, second = the_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("2", "t")
        assert second.protocol_commands() == [("set_protocol", Protocol.TCP, 80)]
        assert first.protocol_commands() == []
        await pilot.press("1", "p")
        assert first.state is RunState.PAUSED
        assert second.state is RunState.RUNNING


async def test_keys_on_the_overview_act_on_every_target() -> None:
    app, first, second = the_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("u")
        udp = [("set_protocol", Protocol.UDP, None)]
        assert first.protocol_commands() == second.protocol_commands() == udp
        await pilot.press("p")
        assert [first.state, second.state] == [RunState.PAUSED] * 2
        await pilot.press("p")
        assert [first.state, second.state] == [RunState.RUNNING] * 2


async def test_a_target_that_failed_has_a_tab_that_says_why() -> None:
    app, _first, _second = the_app(Target("gamma.invalid", None, "cannot resolve 'gamma.invalid'"))
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("3")
        assert "gamma.invalid: not traced: cannot resolve" in static_text(app, "#target-error")
        assert not app.query_one(HopTable).display
        assert "3 gamma.invalid ✗" in static_text(app, "#tab-bar")


async def test_tab_moves_the_focus_in_a_dialog_not_the_tab() -> None:
    app, _first, _second = the_app()
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("1", "P")
        await pilot.press("tab")
        assert app.tab == 1


async def test_the_help_lists_the_tab_keys() -> None:
    app, _first, _second = the_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, TabsHelpScreen)
        body = "\n".join(strip.text for strip in app.screen.query_one("#help-body", Static).render_lines(
            Region(0, 0, 78, 60)))
        assert "Overview" in body and "Next tab" in body and "Reset" in body


def test_overview_cells_are_inert_text() -> None:
    from tuitrace.report.multi import TargetSummary

    table = overview_table([TargetSummary("[bold]x", "10.0.0.1", True, 3, 0.0, 1.0, "[red]boom", None)])
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(table)
    text = console.export_text()
    assert "[bold]x" in text and "[red]boom" in text


async def test_a_screenshot_of_the_overview_holds_every_targets_report(tmp_path: Path) -> None:
    first, second = engines()
    app = MultiTraceApp([Target("alpha", first), Target("beta", second)], UiOptions(output_dir=tmp_path))
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert app.last_screenshot is not None
        page = app.last_screenshot.markdown.read_text(encoding="utf-8")
        assert "Targets" in page
        assert "tuitrace to alpha (10.0.9.2)" in page and "tuitrace to beta (10.0.9.3)" in page
        await pilot.press("2", "s")
        await pilot.pause()
        page = app.last_screenshot.markdown.read_text(encoding="utf-8")
        assert "beta" in page and "alpha" not in page
