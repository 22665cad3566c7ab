"""RIPE Atlas probes on screen: a tab each and an overview line with what the path shares with the local
trace; hostile names from a results file are drawn as the literal text they are."""

from __future__ import annotations

from pathlib import Path

from tuitrace.ui.tabs import MultiTraceApp, Target
from tuitrace.ui.widgets.hop_table import HopTable
from tuitrace.vantage.atlas_engine import AtlasEngine
from tuitrace.vantage.atlas_results import parse_results

from .fake_engine import FakeEngine
from .helpers import cells, header_lines
from .test_tabs import static_text

DATA = Path(__file__).parents[1] / "unit" / "vantage" / "atlas_data"


def atlas(name: str) -> list[AtlasEngine]:
    return [AtlasEngine.of(trace, None) for trace in parse_results((DATA / name).read_bytes()).traces]


async def test_atlas_probes_have_tabs_and_the_overview_says_what_they_share_with_local() -> None:
    one, two = atlas("icmp_v4.json")
    local = FakeEngine(host="www.example.net", target="192.0.2.80")
    local.advance(3)
    app = MultiTraceApp([Target("www.example.net", local),
                         Target("www.example.net from atlas:1001", one, None, "atlas:1001"),
                         Target("www.example.net from atlas:1002", two, None, "atlas:1002")])
    async with app.run_test(size=(200, 30)) as pilot:
        text = static_text(app, "#overview")
        line = next(row for row in text.splitlines() if "atlas:1001" in row)
        # the fake local path ends at the same destination, and has no other address in common
        assert line.endswith("shares 1 hop with local from hop 4 (1 by address)")
        await pilot.press("2")
        assert app.query_one(HopTable).display
        assert header_lines(app)[0].strip().startswith("www.example.net from atlas:1001 (? ?) (192.0.2.80)")
        assert cells(app, "hop-2")["snt"] == "6" and cells(app, "hop-2")["loss"].startswith("33.3")
        await pilot.press("t")  # keys cannot change a finished measurement: one notice says so
        await pilot.pause()
        assert any("RIPE Atlas traces are finished measurements" in str(n.message)
                   for n in app._notifications)


async def test_hostile_names_from_a_results_file_are_literal_text() -> None:
    (engine,) = atlas("hostile.json")
    local = FakeEngine(host="x", target="10.0.9.2")
    app = MultiTraceApp([Target("x", local), Target(engine.snapshot().host, engine, None, engine.vantage)])
    async with app.run_test(size=(200, 30)) as pilot:
        assert "[bold red]pwned[/]" in static_text(app, "#overview")
        await pilot.press("2")
        first = header_lines(app)[0].strip()
        assert first.startswith("[bold red]pwned[/] \ufffd[2J\ufffd]0;title\ufffd line two from atlas:5005")
