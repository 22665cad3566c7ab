"""Each key does what the help screen says: Pilot drives the app against a fake engine."""

from __future__ import annotations

import pytest

from tuitrace.config import Protocol
from tuitrace.stats.snapshot import RunState
from tuitrace.ui.app import TraceApp
from tuitrace.ui.keys import KEYS
from tuitrace.ui.options import UiOptions
from tuitrace.ui.screens.help import HelpScreen
from tuitrace.ui.screens.value_input import ValueInputScreen

from .fake_engine import FakeEngine
from .fakes import FakeEnricher, Info
from .helpers import cells, header, row_keys


def test_every_key_in_the_table_has_an_action() -> None:
    app = TraceApp(FakeEngine())
    for spec in KEYS:
        name = spec.action.split("(")[0]
        assert callable(getattr(app, f"action_{name}", None)), spec


async def test_protocol_keys_reconfigure_the_engine_and_the_header_follows(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        assert "ICMP" in header(app)
        await pilot.press("t")
        assert engine.protocol_commands()[-1] == ("set_protocol", Protocol.TCP, 80)
        assert "TCP/80" in header(app)
        await pilot.press("u")
        assert engine.protocol_commands()[-1] == ("set_protocol", Protocol.UDP, None)
        assert "UDP 33434+n" in header(app)
        await pilot.press("i")
        assert engine.protocol_commands()[-1] == ("set_protocol", Protocol.ICMP, None)
        assert "[ICMP] TCP/80 UDP 33434+n" in header(app)


async def test_switching_back_shows_the_earlier_statistics(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        assert cells(app, "hop-1")["snt"] == "6"
        await pilot.press("t")
        engine.advance(2)
        app.refresh_view()
        await pilot.pause()
        assert cells(app, "hop-1")["snt"] == "2"
        assert "round 2" in header(app)
        await pilot.press("i")
        assert cells(app, "hop-1")["snt"] == "6"
        assert "round 6" in header(app)


async def test_port_input_sets_the_port_for_tcp_and_udp(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("t", "P")
        assert isinstance(app.screen, ValueInputScreen)
        await pilot.press("3", "8", "9", "enter")
        assert not isinstance(app.screen, ValueInputScreen)
        assert engine.protocol_commands()[-1] == ("set_protocol", Protocol.TCP, 389)
        engine.advance(1)
        app.refresh_view()
        await pilot.pause()
        assert "TCP/389" in header(app)
        assert "destination not reached yet" in header(app)
        assert cells(app, "hop-4")["host"].endswith("!X")
        await pilot.press("u")
        assert engine.protocol_commands()[-1] == ("set_protocol", Protocol.UDP, 389)


async def test_port_set_while_on_icmp_waits_for_u_or_t(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("P", "4", "4", "3", "enter")
        assert engine.protocol_commands() == []
        await pilot.press("t")
        assert engine.protocol_commands()[-1] == ("set_protocol", Protocol.TCP, 443)


@pytest.mark.parametrize("typed", ["0", "70000", "abc", "-5", "1.5"])
async def test_port_input_rejects_bad_values_and_stays_open(engine: FakeEngine, typed: str) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("t", "P", "ctrl+a", "ctrl+k", *typed, "enter")
        assert isinstance(app.screen, ValueInputScreen)
        error = app.screen.query_one("#ask-error")
        assert "✗" in str(error.render())
        assert engine.protocol_commands() == [("set_protocol", Protocol.TCP, 80)]
        await pilot.press("escape")
        assert not isinstance(app.screen, ValueInputScreen)
        assert engine.protocol_commands() == [("set_protocol", Protocol.TCP, 80)]


async def test_escape_cancels_the_port_input(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("t", "P", "5", "escape")
        assert not isinstance(app.screen, ValueInputScreen)
        assert engine.protocol_commands() == [("set_protocol", Protocol.TCP, 80)]
        assert "TCP/80" in header(app)


async def test_plus_and_minus_step_the_sendwait(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("plus", "plus")
        assert engine.sendwait == pytest.approx(0.002)
        assert "sendwait 2 ms" in header(app)
        await pilot.press("minus")
        assert engine.sendwait == pytest.approx(0.001)
        await pilot.press("minus", "minus")
        assert engine.sendwait == 0
        assert [c[0] for c in engine.commands].count("set_sendwait") == 5


@pytest.mark.parametrize(("typed", "seconds"), [("50", 0.05), ("0.5", 0.5), ("2", 2.0), ("0", 0.0)])
async def test_exact_sendwait_follows_the_z_rule(engine: FakeEngine, typed: str, seconds: float) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("S", "ctrl+a", "ctrl+k", *typed, "enter")
        assert engine.commands[-1] == ("set_sendwait", pytest.approx(seconds))


async def test_exact_sendwait_rejects_text(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("S", "ctrl+a", "ctrl+k", "x", "enter")
        assert isinstance(app.screen, ValueInputScreen)
        assert not any(c[0] == "set_sendwait" for c in engine.commands)


async def test_interval_input(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("I", "ctrl+a", "ctrl+k", "0", "enter")
        assert isinstance(app.screen, ValueInputScreen)
        await pilot.press("ctrl+a", "ctrl+k", "2", ".", "5", "enter")
        assert engine.commands[-1] == ("set_interval", 2.5)
        assert "interval 2.5 s" in header(app)


async def test_pause_resume_and_reset(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("p")
        assert engine.snapshot().state is RunState.PAUSED
        assert "paused" in header(app)
        await pilot.press("space")
        assert engine.snapshot().state is RunState.RUNNING
        assert "running" in header(app)
        await pilot.press("r")
        assert engine.commands[-1] == ("reset",)
        assert row_keys(app) == []
        assert "round 0" in header(app)


async def test_names_toggle(engine: FakeEngine) -> None:
    enricher = FakeEnricher({"10.0.1.1": Info(hostname="gw.lab", asn=64500, as_name="LAB")})
    app = TraceApp(engine, UiOptions(enricher=enricher))
    async with app.run_test(size=(120, 30)) as pilot:
        assert "10.0.1.1" in enricher.requested
        assert cells(app, "hop-1")["host"].startswith("gw.lab")
        await pilot.press("n")
        assert cells(app, "hop-1")["host"] == "10.0.1.1"
        await pilot.press("n")
        assert cells(app, "hop-1")["host"].startswith("gw.lab")


@pytest.mark.parametrize(("width", "shown"), [(200, True), (80, False)])
async def test_the_as_column_shows_when_it_fits_and_z_toggles_it(engine: FakeEngine, width: int,
                                                                   shown: bool) -> None:
    enricher = FakeEnricher({"10.0.1.1": Info(hostname="gw.lab", asn=64500, as_name="LAB", country="NL")})
    app = TraceApp(engine, UiOptions(enricher=enricher))
    async with app.run_test(size=(width, 30)) as pilot:
        assert ("as" in cells(app, "hop-1")) is shown
        await pilot.press("z")
        assert cells(app, "hop-1").get("as") == (None if shown else "AS64500 LAB NL")
        await pilot.press("z")
        assert ("as" in cells(app, "hop-1")) is shown
        assert "jttr" in cells(app, "hop-1"), "shown by itself, the AS column never pushes an RTT out"


async def test_the_as_column_appears_when_the_window_grows_and_not_without_lookups(
        engine: FakeEngine) -> None:
    enricher = FakeEnricher({"10.0.1.1": Info(asn=64500, as_name="LAB")})
    app = TraceApp(engine, UiOptions(enricher=enricher))
    async with app.run_test(size=(80, 30)) as pilot:
        assert "as" not in cells(app, "hop-1")
        await pilot.resize_terminal(200, 30)
        await pilot.pause()
        assert cells(app, "hop-1")["as"] == "AS64500 LAB"
    bare = TraceApp(engine)
    async with bare.run_test(size=(200, 30)) as pilot:
        assert "as" not in cells(bare, "hop-1"), "without lookups nothing could fill it"
        await pilot.press("z")
        assert cells(bare, "hop-1")["as"] == ""


async def test_numeric_option_starts_with_addresses(engine: FakeEngine) -> None:
    enricher = FakeEnricher({"10.0.1.1": Info(hostname="gw.lab")})
    app = TraceApp(engine, UiOptions(enricher=enricher, numeric=True))
    async with app.run_test():
        assert cells(app, "hop-1")["host"] == "10.0.1.1"


async def test_names_appear_when_lookups_answer_later(engine: FakeEngine) -> None:
    enricher = FakeEnricher({}, pending_notices=["GeoIP database not found"])
    app = TraceApp(engine, UiOptions(enricher=enricher))
    async with app.run_test(notifications=True) as pilot:
        assert cells(app, "hop-1")["host"] == "10.0.1.1"
        enricher.known["10.0.1.1"] = Info(hostname="gw.lab")
        enricher.generation += 1
        app.refresh_view()
        await pilot.pause()
        assert cells(app, "hop-1")["host"].startswith("gw.lab")
        assert [n.message for n in app._notifications] == ["GeoIP database not found"]


async def test_e_collapses_and_expands_ecmp_sub_rows(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        assert "hop-2-10.0.3.1" in row_keys(app)
        await pilot.press("e")
        assert row_keys(app) == ["hop-1", "hop-2", "hop-3", "hop-4", "hop-5"]
        assert cells(app, "hop-2")["host"] == "10.0.2.1 +1"
        await pilot.press("e")
        assert "hop-2-10.0.3.1" in row_keys(app)


@pytest.mark.parametrize("key", ["question_mark", "h"])
async def test_help_lists_every_key_and_closes(engine: FakeEngine, key: str) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press(key)
        assert isinstance(app.screen, HelpScreen)
        shown = str(app.screen.query_one("#help-body").render())
        for spec in KEYS:
            assert spec.help in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("t")
        assert engine.protocol_commands()[-1][1] is Protocol.TCP


async def test_q_quits(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_refresh_changes_only_the_cells_that_changed(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        hop_table = app.query_one("#hops")
        before = hop_table.rebuilds  # type: ignore[attr-defined]
        engine.advance(1)
        app.refresh_view()
        await pilot.pause()
        assert hop_table.rebuilds == before  # type: ignore[attr-defined]
        assert cells(app, "hop-1")["snt"] == "7"


async def test_a_dead_engine_is_reported_in_the_header(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(notifications=True) as pilot:
        engine.error = PermissionError("raw socket: Operation not permitted")
        app.refresh_view()
        await pilot.pause()
        assert "probing stopped: raw socket: Operation not permitted" in header(app)
        assert len(app._notifications) == 1


async def test_a_refused_protocol_switch_is_shown_once(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(notifications=True) as pilot:
        engine.messages.append("cannot trace ICMP: ping sockets are not allowed")
        app.refresh_view()
        app.refresh_view()
        await pilot.pause()
        texts = [n.message for n in app._notifications]
        assert texts == ["cannot trace ICMP: ping sockets are not allowed"]
        assert "probing stopped" not in header(app)


async def test_engine_texts_with_markup_characters_are_shown_as_they_are(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(notifications=True) as pilot:
        engine.messages.append("cannot trace TCP/80: [/] no [bold]route[/bold]")
        engine.error = OSError("socket [/] closed")
        app.refresh_view()
        await pilot.pause()
        assert app.is_running
        texts = [n.message for n in app._notifications]
        assert texts == ["cannot trace TCP/80: [/] no [bold]route[/bold]",
                         "Probing stopped: socket [/] closed"]


async def test_the_as_column_stays_hidden_when_nothing_could_fill_it(engine: FakeEngine) -> None:
    """--no-lookups (or -n --no-asn) without a GeoIP file: the UI still has an enricher (for names, or to
    say that places are missing), but no AS number or place can ever arrive."""
    enricher = FakeEnricher({}, fills_as_or_place=False)
    app = TraceApp(engine, UiOptions(enricher=enricher))
    async with app.run_test(size=(200, 30)) as pilot:
        assert "as" not in cells(app, "hop-1")
        await pilot.press("z")
        assert cells(app, "hop-1")["as"] == ""


@pytest.mark.parametrize(("key", "typed", "message"), [
    ("S", "nan", "sendwait must be a finite number, not nan"),
    ("S", "inf", "sendwait must be a finite number, not inf"),
    ("S", "1e9", "sendwait must be ≤ 10000, not 1e9"),
    ("S", "-1", "sendwait must be ≥ 0, not -1"),
    ("I", "nan", "interval must be a finite number, not nan"),
    ("I", "1e9", "interval must be ≤ 3600 s, not 1e9"),
])
async def test_the_timing_inputs_refuse_what_the_command_line_refuses(
        engine: FakeEngine, key: str, typed: str, message: str) -> None:
    """Issue 9.1: ``nan`` typed into a dialog once stopped probing with a raw Python error."""
    app = TraceApp(engine)
    async with app.run_test() as pilot:
        await pilot.press(key, "ctrl+a", "ctrl+k", *typed, "enter")
        assert isinstance(app.screen, ValueInputScreen)
        assert message in str(app.screen.query_one("#ask-error").render())
        assert not any(c[0] in {"set_sendwait", "set_interval"} for c in engine.commands)
