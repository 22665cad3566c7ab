"""The row cursor and the detail view: pick a hop or an ECMP responder, press Enter, read everything known
about it; RDAP answers arrive later (the fake enricher's futures are completed by the test)."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from textual.geometry import Region

from tuitrace.ui.app import TraceApp
from tuitrace.ui.details import LOOKING_UP
from tuitrace.ui.options import UiOptions
from tuitrace.ui.screens.detail import ResponderDetailScreen

from .fake_engine import FakeEngine
from .fakes import FakeEnricher, Info
from .helpers import row_keys, table

R4 = "10.0.4.1"
RDAP_R4: dict[str, Any] = {
    "query": R4,
    "network": {"handle": "NET-10-0", "name": "LAB-NET", "cidr": "10.0.0.0/8", "type": "ASSIGNED PA",
                "country": "ZZ", "events": [{"action": "registration", "timestamp": "2020-01-01T00:00:00Z"}]},
    "entities": ["LAB-ORG"],
    "objects": {"LAB-ORG": {"roles": ["registrant"], "contact": {
        "name": "Lab Networks Ltd", "kind": "org", "email": [{"type": None, "value": "noc@lab.example"}]}}},
}


def enricher() -> FakeEnricher:
    return FakeEnricher({R4: Info(hostname="r4.lab.example", asn=64500, as_name="LAB-EDGE",
                                  prefix="10.0.0.0/8", registry="ripencc", country="NL", city="Delft",
                                  label="private (RFC 1918)")})


def body(app: TraceApp) -> str:
    screen = app.screen
    assert isinstance(screen, ResponderDetailScreen)
    return screen.body


async def settle(pilot: Any) -> None:
    """Let messages posted from other threads reach the screen."""
    for _ in range(3):
        await pilot.pause()


def selected(app: TraceApp) -> str | None:
    return table(app).selected_key


async def test_enter_shows_the_selected_hop_then_its_rdap_owner(engine: FakeEngine) -> None:
    fake = enricher()
    app = TraceApp(engine, UiOptions(enricher=fake))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*["down"] * 6)
        assert selected(app) == "hop-4"
        await pilot.press("enter")
        text = body(app)
        for shown in ("Hop 4", R4, "r4.lab.example", "AS64500 LAB-EDGE", "10.0.0.0/8", "registry ripencc",
                      "Delft, NL", "private (RFC 1918)", "5 of 6 probes answered", "5 of 5 replies",
                      "Reply TTL", LOOKING_UP):
            assert shown in text, shown
        assert fake.detail_requests == [R4]

        fake.answer(R4, RDAP_R4)
        await settle(pilot)
        text = body(app)
        assert LOOKING_UP not in text
        for shown in ("LAB-NET (NET-10-0)", "ASSIGNED PA", "Registrant", "Lab Networks Ltd (org)",
                      "noc@lab.example", "2020-01-01"):
            assert shown in text, shown

        await pilot.press("escape")
        assert not isinstance(app.screen, ResponderDetailScreen)
        assert selected(app) == "hop-4", "closing the view keeps the selection"


async def test_an_rdap_failure_is_shown_as_the_reason(engine: FakeEngine) -> None:
    fake = enricher()
    app = TraceApp(engine, UiOptions(enricher=fake))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "w")
        assert "Hop 1" in body(app)
        fake.answer("10.0.1.1", "RDAP lookup for 10.0.1.1 failed: HTTP 429 Too Many Requests")
        await settle(pilot)
        text = body(app)
        assert "RDAP lookup for 10.0.1.1 failed: HTTP 429 Too Many Requests" in text
        assert LOOKING_UP not in text
        await pilot.press("q")
        assert not isinstance(app.screen, ResponderDetailScreen)
        assert app.is_running, "q closes the view, it does not quit tuitrace"


async def test_an_answer_already_cached_shows_at_once(engine: FakeEngine) -> None:
    fake = enricher()
    fake.answer(R4, RDAP_R4)
    app = TraceApp(engine, UiOptions(enricher=fake))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*["down"] * 6, "enter")
        await settle(pilot)
        assert "LAB-NET" in body(app)


async def test_an_ecmp_responder_row_shows_only_that_responder(engine: FakeEngine) -> None:
    fake = enricher()
    app = TraceApp(engine, UiOptions(enricher=fake))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "down", "down", "down")
        assert selected(app) == "hop-2-10.0.3.1"
        await pilot.press("enter")
        text = body(app)
        assert "10.0.3.1" in text
        assert "10.0.2.1" not in text
        assert "3 of 6 replies at this TTL (50%)" in text
        assert fake.detail_requests == ["10.0.3.1"]


async def test_the_hop_row_of_an_ecmp_hop_shows_every_responder(engine: FakeEngine) -> None:
    fake = enricher()
    app = TraceApp(engine, UiOptions(enricher=fake))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "down", "enter")
        text = body(app)
        assert "2 responders (ECMP)" in text
        assert "10.0.2.1" in text and "10.0.3.1" in text
        assert sorted(fake.detail_requests) == ["10.0.2.1", "10.0.3.1"]


async def test_a_silent_hop_says_nobody_answered(engine: FakeEngine) -> None:
    app = TraceApp(engine, UiOptions(enricher=enricher()))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*["down"] * 5, "enter")
        assert "TTL 3: 0 of 6 probes answered, loss 100%: no router answered" in body(app)


async def test_without_lookups_the_view_says_rdap_is_off(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "enter")
        text = body(app)
        assert "10.0.1.1" in text
        assert "RDAP lookups are off" in text
        assert LOOKING_UP not in text


async def test_the_statistics_keep_updating_while_the_view_is_open(engine: FakeEngine) -> None:
    app = TraceApp(engine, UiOptions(enricher=enricher()))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "enter")
        assert "6 of 6 probes answered" in body(app)
        engine.advance(2)
        app.refresh_view()
        screen = app.screen
        assert isinstance(screen, ResponderDetailScreen)
        screen.update_view()
        await pilot.pause()
        assert "8 of 8 probes answered" in body(app)


async def test_enter_without_a_selection_opens_the_top_row_on_screen(engine: FakeEngine) -> None:
    app = TraceApp(engine, UiOptions(enricher=enricher()))
    async with app.run_test(size=(120, 40)) as pilot:
        assert selected(app) is None
        await pilot.press("enter")
        assert "Hop 1" in body(app)
        await pilot.press("escape")
        assert selected(app) == "hop-1"


async def test_enter_before_any_reply_says_there_is_nothing_yet() -> None:
    app = TraceApp(FakeEngine())
    async with app.run_test(notifications=True) as pilot:
        await pilot.press("enter")
        assert not isinstance(app.screen, ResponderDetailScreen)
        assert [n.message for n in app._notifications] == ["No hop to show yet: wait for the first replies"]


async def test_the_cursor_moves_stops_at_the_ends_and_escape_clears_it(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down")
        assert selected(app) == "hop-1"
        await pilot.press("up")
        assert selected(app) == "hop-1"
        await pilot.press("down", "down")
        assert selected(app) == "hop-2-10.0.2.1"
        await pilot.press("ctrl+end")
        assert selected(app) == "hop-5"
        await pilot.press("down")
        assert selected(app) == "hop-5"
        await pilot.press("ctrl+home")
        assert selected(app) == "hop-1"
        await pilot.press("escape")
        assert selected(app) is None


async def test_the_selected_row_is_highlighted(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        hop_table = table(app)

        def backgrounds() -> list[set[object]]:
            width, height = hop_table.size
            strips = hop_table.render_lines(Region(0, 0, width, height))
            return [{(s.style or Style()).bgcolor for s in strip} for strip in strips[1:8]]

        plain = backgrounds()
        assert all(line == plain[0] for line in plain), "no highlight before a row is selected"
        await pilot.press("down", "down")
        lit = backgrounds()
        assert lit[1] != plain[1], "the selected row (hop 2) stands out"
        others = [i for i in range(len(plain)) if i != 1]
        assert [lit[i] for i in others] == [plain[i] for i in others]


async def test_the_selection_stays_on_its_row_as_rows_change() -> None:
    engine = FakeEngine()
    engine.advance(1)  # one round: hop 2 has one responder so far
    app = TraceApp(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*["down"] * 4)
        assert selected(app) == "hop-4"
        engine.advance(1)  # the second ECMP branch answers: two sub-rows appear above hop 4
        app.refresh_view()
        await pilot.pause()
        assert row_keys(app).index("hop-4") == 5
        assert selected(app) == "hop-4"
        await pilot.press("ctrl+home", "down", "down")
        assert selected(app) == "hop-2-10.0.2.1"
        await pilot.press("e")
        assert "hop-2-10.0.2.1" not in row_keys(app)
        assert selected(app) == "hop-2", "a collapsed responder leaves the selection on its hop"


async def test_scrolling_keys_still_scroll_without_a_selection(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(80, 10)) as pilot:
        hop_table = table(app)
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert hop_table.scroll_offset.y > 0
        assert selected(app) is None
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert hop_table.scroll_offset.y == 0


async def test_moving_the_cursor_below_the_window_scrolls(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(80, 10)) as pilot:
        hop_table = table(app)
        await pilot.press(*["down"] * 8)
        await pilot.pause()
        assert selected(app) == "hop-5"
        rows_on_screen = hop_table.size.height - 1
        top = int(hop_table.scroll_offset.y)
        assert top <= row_keys(app).index("hop-5") < top + rows_on_screen


async def test_row_keys_do_not_move_the_table_under_the_view(engine: FakeEngine) -> None:
    app = TraceApp(engine, UiOptions(enricher=enricher()))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("down", "enter", "down", "down")
        assert isinstance(app.screen, ResponderDetailScreen)
        await pilot.press("escape")
        assert selected(app) == "hop-1"


async def test_a_click_selects_the_row_under_the_mouse(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("#hops", offset=(8, 4))  # line 0 is the column titles
        assert selected(app) == "hop-2-10.0.3.1"
