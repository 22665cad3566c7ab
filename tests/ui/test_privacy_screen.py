"""Privacy on screen (``x``, ``--privacy``, ``--hide-target``), in screenshots; the GeoIP hint; the header."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from tuitrace.config import Protocol
from tuitrace.report.privacy import Privacy
from tuitrace.timeline.events import Event, EventKind
from tuitrace.ui.app import GEOIP_HINT_SECONDS, TraceApp
from tuitrace.ui.options import UiOptions
from tuitrace.ui.widgets.header import header_text

from .fake_engine import FakeEngine
from .fakes import FakeEnricher, Info
from .helpers import header, row_keys, table_lines
from .test_snapshots import SnapCompare, lab_engine

GEOIP_NOTICE = "no GeoIP database found (looked in /usr/share/GeoIP): places stay empty; get a free GeoLite2"


async def test_x_hides_the_first_two_hops_and_keeps_their_rows(engine: FakeEngine) -> None:
    enricher = FakeEnricher({"10.0.1.1": Info(hostname="gw.office.example", asn=64500, as_name="OFFICE")})
    app = TraceApp(engine, UiOptions(enricher=enricher))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        before = row_keys(app)
        assert "gw.office.example" in "\n".join(table_lines(app))
        await pilot.press("x")
        await pilot.pause()
        shown = "\n".join(table_lines(app))
        for secret in ("10.0.1.1", "10.0.2.1", "10.0.3.1", "gw.office.example", "OFFICE"):
            assert secret not in shown
        assert "hidden" in shown and "10.0.4.1" in shown  # hop 4 is not hidden
        assert len(row_keys(app)) == len(before)
        assert "hidden: hops 1-2 (addresses, names, AS, places)" in header(app)
        await pilot.press("x")
        await pilot.pause()
        assert "gw.office.example" in "\n".join(table_lines(app)) and "hidden" not in header(app)


async def test_screenshot_with_privacy_hides_hops_and_target_and_says_so(engine: FakeEngine,
                                                                         tmp_path: Path) -> None:
    options = UiOptions(output_dir=tmp_path, command_line="tuitrace -I lab-dst",
                        privacy=Privacy(hops=1, hide_target=True))
    app = TraceApp(engine, options)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("d", "s")
        await pilot.pause()
    svg = next(tmp_path.glob("*.svg"))
    markdown = svg.with_suffix(".md").read_text(encoding="utf-8")
    svg_text = "".join(ET.parse(svg).getroot().itertext()).replace("\xa0", " ")
    assert svg.name.startswith("tuitrace-hidden-")
    for text in (markdown, svg_text):
        for secret in ("10.0.1.1", "10.0.9.2", "lab-dst"):
            assert secret not in text, secret
    assert "10.0.4.1" in markdown and "10.0.4.1" in svg_text
    assert "- Hidden for privacy: hop 1 and the target (addresses, names, AS, places)" in markdown
    assert "`tuitrace -I hidden`" in markdown
    assert "- Display: history strip" in markdown and "History, one cell per round" in svg_text


async def test_the_geoip_hint_is_a_quiet_status_line_shown_once(engine: FakeEngine) -> None:
    enricher = FakeEnricher({}, pending_notices=[GEOIP_NOTICE])
    app = TraceApp(engine, UiOptions(enricher=enricher))
    now = [100.0]
    app.clock = lambda: now[0]
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert [n.message for n in app._notifications] == []  # no toast over the first screen
        assert app.status_line.display and GEOIP_NOTICE in str(app.status_line.render())
        now[0] += GEOIP_HINT_SECONDS + 1
        app.refresh_view()
        await pilot.pause()
        assert not app.status_line.display


async def test_no_geoip_hint_when_lookups_are_off(engine: FakeEngine) -> None:
    enricher = FakeEnricher({}, pending_notices=[GEOIP_NOTICE])
    app = TraceApp(engine, UiOptions(enricher=enricher, lookups=False))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert [n.message for n in app._notifications] == []
        assert not app.status_line.display


def test_the_header_never_parts_a_label_from_its_value() -> None:
    engine = lab_engine()
    engine.set_protocol(Protocol.UDP, None)
    engine.advance(2)
    for width in range(30, 90):
        lines = header_text(engine.snapshot(), "simulated", width=width).plain.splitlines()
        assert any(line.endswith("UDP 33434+n") or "UDP 33434+n  sendwait 0" in line for line in lines)
        pairs = (("sendwait", "0"), ("interval", "1 s"), ("mode", "simulated"), ("elapsed", "0:02"))
        for label, value in pairs:
            assert any(f"{label} {value}" in line for line in lines), (width, lines)
        assert all(len(line) <= width for line in lines if "destination" not in line), (width, lines)


def test_privacy_80x24(snap_compare: SnapCompare) -> None:
    options = UiOptions(privacy=Privacy(hops=2, hide_target=True))
    assert snap_compare(TraceApp(lab_engine(), options), terminal_size=(80, 24))


async def test_events_and_details_keep_hidden_hops_hidden(engine: FakeEngine) -> None:
    engine.recorded_events.append(Event(time="2026-12-01T00:00:00.000Z", t_s=1.0, kind=EventKind.PATH_CHANGE,
                                        ttl=1, address="10.0.1.1", duration_s=None,
                                        text="Hop 1 now answers from 10.0.1.1."))
    app = TraceApp(engine, UiOptions(privacy=Privacy(hops=2)))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert "Hop 1 now answers from hidden." in app.event_pane.plain
        assert "10.0.1.1" not in app.event_pane.plain + header(app)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert len(app.screen_stack) == 1  # no detail view of a hidden hop
        assert [n.message for n in app._notifications] == ["Hop 1 is hidden for privacy: x shows it"]


def test_field_picker(snap_compare: SnapCompare) -> None:
    assert snap_compare(TraceApp(lab_engine()), terminal_size=(80, 24), press=["o"])
