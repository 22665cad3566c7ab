"""Findings on the live screen: a line under the header (the most severe, plus how many more), a marker in
the row of the hop concerned, and the whole list behind ``F``; legible without colour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.diagnose.finding import Evidence, Finding, Kind, Severity
from tuitrace.engine.engine import Engine
from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import RealtimeSimNetwork, SimNetwork
from tuitrace.stats.snapshot import RunState
from tuitrace.timeline.events import Event, EventKind
from tuitrace.ui.app import TraceApp
from tuitrace.ui.findings_feed import MIN_SECONDS, FindingsFeed
from tuitrace.ui.findings_look import MARKERS, headline, hop_marks
from tuitrace.ui.screens.detail import ResponderDetailScreen
from tuitrace.ui.screens.findings import FindingsScreen

from .fake_engine import FakeEngine
from .helpers import cells, header, row_keys, table
from .test_terminal_env import WINDOW_BUTTONS

SCENARIOS = Path(__file__).parents[1] / "scenarios"
BLOCKED = "TCP/389 is administratively prohibited by 10.0.4.1 at hop 4."
CHANGE = Event("2026-12-01T14:02:11.204Z", 72.4, EventKind.PATH_CHANGE, 1, "10.0.1.7", None,
               "The route changed at hop 1: 10.0.1.1 was replaced by 10.0.1.7.")


def filtered(engine: FakeEngine) -> FakeEngine:
    engine.set_protocol(Protocol.TCP, 389)
    engine.advance(6)
    return engine


def _finding(kind: Kind, severity: Severity, ttl: int | None) -> Finding:
    return Finding(kind, ttl, None, severity, f"{kind.value} here.", (Evidence("n", 1),))


def test_every_kind_has_a_text_marker() -> None:
    assert set(MARKERS) == set(Kind)
    assert all(re.fullmatch(r"\[[a-z]+\]", m) for m in MARKERS.values())


def test_headline_is_the_first_finding_and_counts_the_others() -> None:
    problem = _finding(Kind.BLOCKED, Severity.PROBLEM, 4)
    info = _finding(Kind.REPLY_LOSS_ONLY, Severity.INFO, 2)
    assert headline(()) == ""
    assert headline((problem, info, info)) == "PROBLEM [blocked] blocked here.  (+2 more, F lists them)"
    assert headline((info,)).startswith("info [ratelimit] reply_loss_only here.")


def test_hop_marks_put_the_worst_severity_first_and_skip_findings_without_a_hop() -> None:
    marks = hop_marks((_finding(Kind.REPLY_LOSS_ONLY, Severity.INFO, 3),
                       _finding(Kind.FORWARD_LOSS, Severity.PROBLEM, 3),
                       _finding(Kind.ROUTING_LOOP, Severity.PROBLEM, None)))
    assert marks == {3: ("[loss] [ratelimit]", Severity.PROBLEM)}


async def test_a_clean_path_shows_no_findings_line_and_no_markers(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "finding:" not in header(app)
        assert not any("[" in cells(app, f"hop-{ttl}")["host"] for ttl in (1, 3, 4, 5))


async def test_a_blocked_port_shows_in_the_header_and_marks_its_hop(engine: FakeEngine) -> None:
    app = TraceApp(filtered(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert f"finding: PROBLEM [blocked] {BLOCKED}  (F: details)" in header(app)
        assert cells(app, "hop-4")["host"].endswith("!X [blocked]")
        assert "[" not in cells(app, "hop-1")["host"]


async def test_n_more_counts_the_findings_behind_the_first(engine: FakeEngine) -> None:
    engine.recorded_events.append(CHANGE)
    app = TraceApp(filtered(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert f"{BLOCKED}  (+1 more, F lists them)" in header(app)
        assert cells(app, "hop-1")["host"].endswith("[route]")


async def test_f_opens_the_list_with_the_evidence_and_esc_closes_it(engine: FakeEngine) -> None:
    engine.recorded_events.append(CHANGE)
    app = TraceApp(filtered(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("F")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        lines = screen.plain.splitlines()
        assert lines[0] == "PROBLEM [blocked] blocked (hop 4, 10.0.4.1)"
        assert lines[1] == f"  {BLOCKED}"
        assert "code=!X" in lines[2] and "port=389" in lines[2]
        assert lines[4].startswith("WARNING [route] path_change (hop 1, 10.0.1.7)")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, FindingsScreen)


async def test_the_list_says_so_when_nothing_stands_out(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("F")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FindingsScreen)
        assert screen.plain.startswith("Nothing stands out")


async def test_without_colour_the_findings_are_still_there_as_text(
    engine: FakeEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = TraceApp(filtered(engine))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        svg = app.export_screenshot()
    colours = set(re.findall(r"#([0-9a-f]{6})\b", svg.lower())) - WINDOW_BUTTONS
    assert all(c[0:2] == c[2:4] == c[4:6] for c in colours), sorted(colours)
    assert "[blocked]" in svg and "PROBLEM" in svg


def test_the_feed_recomputes_at_once_on_a_new_setting_and_else_at_most_once_a_second() -> None:
    engine, now = FakeEngine(), [0.0]
    feed = FindingsFeed(lambda: now[0])
    engine.advance(3)
    feed.update(engine.snapshot())
    engine.advance(1)
    now[0] += MIN_SECONDS / 2
    assert feed.update(engine.snapshot()) == () and feed.computed == 1
    now[0] += MIN_SECONDS
    feed.update(engine.snapshot())
    assert feed.computed == 2
    filtered(engine)
    assert feed.update(engine.snapshot())[0].kind is Kind.BLOCKED and feed.computed == 3


async def test_a_middlebox_on_the_real_engine_shows_in_the_header_the_row_and_the_list() -> None:
    scenario = load_scenario(SCENARIOS / "middlebox_tcp_reset_v4.toml")
    config = TraceConfig(target=scenario.target, family=scenario.family, setting=Setting(Protocol.TCP, 443),
                         interval=0.05, wait=3.0, count=12)  # a wait far above a loaded machine's pauses
    engine = Engine(config, RealtimeSimNetwork(scenario))
    app = TraceApp(engine)
    engine.start()
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            for _ in range(300):  # until the run's 12 rounds are in (15 s at most; it needs about 1)
                if engine.snapshot().state is RunState.FINISHED:
                    break
                await pilot.pause(0.05)
            app.findings = FindingsFeed(app.clock)  # no throttle left over from the rounds on the way
            app.refresh_view()
            await pilot.pause()
            assert "answered by a middlebox near hop 2, not by the destination" in header(app)
            assert "finding: PROBLEM [middlebox]" in header(app)
            assert cells(app, "hop-2")["host"].endswith("[middlebox]")
            await pilot.press("F")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, FindingsScreen)
            assert screen.plain.startswith(
                "TTL check: 5 of 5 ICMP echo requests to the destination answered, reply TTL 61 (5x); "
                "TCP answers from its address: reply TTL 63")
    finally:
        engine.stop()


def _finished_engine(name: str, setting: Setting, rounds: int) -> Engine:
    """The real engine after a whole run on the simulated path (virtual clock): a still picture."""
    scenario = load_scenario(SCENARIOS / name)
    config = TraceConfig(target=scenario.target, family=scenario.family, setting=setting, count=rounds)
    engine = Engine(config, SimNetwork(scenario))
    engine.run()
    return engine


async def test_mpls_labels_show_under_their_router_and_m_hides_them() -> None:
    app = TraceApp(_finished_engine("mpls_tunnel_v4.toml", Setting(Protocol.ICMP, None), 4))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        keys = row_keys(app)
        assert keys[keys.index("hop-3") + 1: keys.index("hop-4")] == [
            "hop-3-203.0.113.5/mpls0", "hop-3-203.0.113.5/mpls1"]
        assert cells(app, "hop-3-203.0.113.5/mpls1")["host"] == "[MPLS: Lbl 16 TC 0 S 1 TTL 2]"
        assert cells(app, "hop-2")["host"].endswith("[mpls]")
        await pilot.press("m")
        await pilot.pause()
        assert not [k for k in row_keys(app) if "/mpls" in k]
        # hop 1, hop 2, hop 2's label, hop 3, hop 3's first label; then its details
        await pilot.press("m", "down", "down", "down", "down", "down", "enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, ResponderDetailScreen)
        assert detail.address == "203.0.113.5"
        assert "MPLS labels  Lbl 24017 TC 0 S 0 TTL 1; Lbl 16 TC 0 S 1 TTL 2" in detail.body


async def test_b_shows_the_back_column_off_by_default() -> None:
    app = TraceApp(_finished_engine("return_asymmetry_v4.toml", Setting(Protocol.ICMP, None), 6))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "back" not in [c.key for c in table(app).columns_shown]
        await pilot.press("b")
        await pilot.pause()
        assert [c.key for c in table(app).columns_shown][:5] == ["ttl", "host", "loss", "snt", "back"]
        backs = {key: cells(app, key)["back"] for key in row_keys(app)}
        assert backs["hop-1"] == "1" and backs["hop-2"] == "2"
        assert backs["hop-3"] == "9"  # the destination's replies come back over 6 more hops than they went
        assert cells(app, "hop-3")["host"].endswith("[asym]")
        await pilot.press("b")
        await pilot.pause()
        assert "back" not in [c.key for c in table(app).columns_shown]


async def test_the_back_column_shows_per_ecmp_responder(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert cells(app, "hop-2")["back"] == ""
        assert cells(app, "hop-2-10.0.2.1")["back"] == cells(app, "hop-2-10.0.3.1")["back"] == "3"
