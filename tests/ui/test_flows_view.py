"""The flows view (key ``f``): the distinct paths, each branch's loss and RTT, where branches split and
meet, and the chosen path hop by hop; without ``--flows`` the key says how to get it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual.widgets import Static

from tuitrace.config import Protocol, Setting
from tuitrace.probe.mda import MdaHop, MdaResult
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.report.graph import GraphFiles
from tuitrace.stats.flowbook import FlowBook, FlowsSnapshot
from tuitrace.ui.app import TraceApp
from tuitrace.ui.options import UiOptions
from tuitrace.ui.screens.flows import FlowsScreen
from tuitrace.ui.widgets.flow_view import NO_FLOWS_HINT, flows_view_text, graph_lines

from .fake_engine import FakeEngine
from .helpers import table_lines

ICMP = Setting(Protocol.ICMP, None)
ROUTES = {"a": ("10.201.0.1", "10.201.1.2", "10.201.3.3", "10.201.6.2"),
          "b": ("10.201.0.1", "10.201.2.2", "10.201.3.3", "10.201.6.2")}


def diamond() -> FlowsSnapshot:
    """Flows 1 and 3 through branch b, 2 and 4 through a, which drops every fourth probe to the end."""
    book = FlowBook(4, 40002)
    for flow, branch in ((1, "b"), (2, "a"), (3, "b"), (4, "a")):
        for number in range(8):
            for ttl, address in enumerate(ROUTES[branch], start=1):
                final = ttl == 4
                lost = final and branch == "a" and number % 4 == 0
                outcome = Outcome.LOST if lost else Outcome.REACHED if final else Outcome.TIME_EXCEEDED
                book.add(ProbeResult(number, ICMP, ttl, number, outcome, None if lost else address,
                                     None if lost else 500_000 * ttl, None, None, flow=flow))
    return book.snapshot(ICMP)


def body(app: TraceApp) -> str:
    return str(app.screen.query_one("#flows-body", Static).render())


def test_the_graph_shows_where_the_branches_split_and_meet() -> None:
    lines = graph_lines(diamond())
    assert lines[0] == "  1  10.201.0.1 [all]"
    assert lines[1] == "  2  10.201.2.2 [1]   10.201.1.2 [2]"
    assert lines[2] == "  3  10.201.3.3 [all]"


def test_each_branch_shows_its_own_loss() -> None:
    text = flows_view_text(diamond(), 0).plain
    first, second = (line for line in text.splitlines() if "flows " in line and "loss" in line)
    assert "path 1" in first and "flows 1 3" in first and "0.0% of 16" in first and "your ports" in first
    assert "path 2" in second and "flows 2 4" in second and "25.0% of 16" in second
    assert "your ports" not in second


async def test_f_opens_the_view_and_arrows_choose_the_path_shown_hop_by_hop() -> None:
    engine = FakeEngine(flow_paths=diamond())
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, FlowsScreen)
        assert "2 distinct paths among 4 flows" in body(app)
        assert "Path 1 hop by hop" in body(app) and "10.201.2.2" in body(app).split("hop by hop")[1]
        await pilot.press("down")
        assert "Path 2 hop by hop" in body(app)
        assert " 25.0% " in body(app).split("hop by hop")[1]
        await pilot.press("down")  # no third path: stays on the last
        assert "Path 2 hop by hop" in body(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, FlowsScreen)


async def test_f_without_flows_says_how_to_get_them() -> None:
    app = TraceApp(FakeEngine())
    async with app.run_test() as pilot:
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(app.screen, FlowsScreen)
        assert any(NO_FLOWS_HINT in str(n.message) for n in app._notifications)


async def test_the_screenshot_page_lists_the_paths(tmp_path: Path) -> None:
    app = TraceApp(FakeEngine(flow_paths=diamond()), UiOptions(output_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
    (page,) = tmp_path.glob("*.md")
    markdown = page.read_text(encoding="utf-8")
    assert "Paths: 2 distinct paths among 4 flows" in markdown
    assert "path 2 (flows 2 4): 25.0% loss of 16 at the end" in markdown


def test_after_mda_the_view_says_what_discovery_found() -> None:
    found = MdaResult(95, 30, (MdaHop(1, ("10.201.0.1",), (), 6),
                               MdaHop(2, ("10.201.1.2", "10.201.2.2"),
                                      (("10.201.0.1", "10.201.1.2"), ("10.201.0.1", "10.201.2.2")), 11)),
                      True, 11, True)
    text = flows_view_text(dataclasses.replace(diamond(), discovery=found), 0).plain
    block = text.split("MDA at ", 1)[1]
    assert block.startswith("95% per interface: 30 probes, 11 flows, complete")
    assert "  2  10.201.1.2  10.201.2.2  (11 probes, 2 links)" in block
    assert "MDA at" not in flows_view_text(diamond(), 0).plain


FAKE_ROUTES = {"upper": ("10.0.1.1", "10.0.2.1", None, "10.0.4.1", "10.0.9.2"),
               "lower": ("10.0.1.1", "10.0.3.1", None, "10.0.4.1", "10.0.9.2")}


def fake_flows() -> FlowsSnapshot:
    """Over the fake engine's path: flows 1 and 3 through 10.0.2.1, 2 and 4 through 10.0.3.1, whose branch
    loses every other probe at the end."""
    book = FlowBook(4, 40002)
    for flow, branch in ((1, "upper"), (2, "lower"), (3, "upper"), (4, "lower")):
        for number in range(4):
            for ttl, address in enumerate(FAKE_ROUTES[branch], start=1):
                final = ttl == 5
                lost = address is None or (final and branch == "lower" and number % 2 == 0)
                outcome = Outcome.LOST if lost else Outcome.REACHED if final else Outcome.TIME_EXCEEDED
                book.add(ProbeResult(number, ICMP, ttl, number, outcome, None if lost else address,
                                     None if lost else 700_000 * ttl, None, None, flow=flow))
    return book.snapshot(ICMP)


def shown_hosts(app: TraceApp) -> str:
    return "\n".join(table_lines(app))


async def test_enter_in_the_flows_view_narrows_the_table_to_that_path_until_a() -> None:
    engine = FakeEngine(flow_paths=fake_flows())
    engine.advance(4)
    app = TraceApp(engine, UiOptions(numeric=True))
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        bar = app.query_one("#path-filter", Static)
        assert "10.0.2.1" in shown_hosts(app) and "10.0.3.1" in shown_hosts(app) and not bar.display
        await pilot.press("f", "down", "enter")
        await pilot.pause()
        assert not isinstance(app.screen, FlowsScreen)
        assert "10.0.3.1" in shown_hosts(app) and "10.0.2.1" not in shown_hosts(app)
        said = str(bar.render())
        assert bar.display and "Path 2 only (flows 2 4)" in said and "a: every path" in said
        last = next(line for line in table_lines(app) if "10.0.9.2" in line)
        assert " 50.0" in last  # the branch's own loss at the end, not the hop's
        await pilot.press("f")
        assert "[table shows only this path]" in body(app).split("\n")[3]
        await pilot.press("escape", "a")
        await pilot.pause()
        assert "10.0.2.1" in shown_hosts(app) and "10.0.3.1" in shown_hosts(app) and not bar.display


async def test_the_screenshot_draws_the_paths_and_writes_the_graph_files(tmp_path: Path) -> None:
    graphs = GraphFiles(dot=tmp_path / "paths.dot", mermaid=tmp_path / "paths.mmd")
    engine = FakeEngine(flow_paths=fake_flows())
    engine.advance(4)
    app = TraceApp(engine, UiOptions(output_dir=tmp_path, graphs=graphs, numeric=True))
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
    (page,) = tmp_path.glob("tuitrace-*.md")
    mermaid = page.read_text(encoding="utf-8").split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert mermaid == graphs.mermaid.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert '  h2_1["2: 10.0.2.1"]' in mermaid and "  h1_1 ==>|\"path 1\"| h2_1" in mermaid
    assert "  h1_1 -->|\"path 2\"| h2_2" in mermaid
    dot = graphs.dot.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert 'h1_1 -> h2_1 [label="path 1", penwidth=2.5];' in dot
