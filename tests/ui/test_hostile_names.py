"""Hostile names on every surface: a loopback DNS server and a loopback RDAP server answer with escape
sequences, OSC 8/52, right-to-left overrides, Rich markup, Markdown specials and 10 kB names; the live table,
the detail view, the SVG screenshot, its Markdown and the text/JSON/CSV reports show them as plain text."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.request import ProxyHandler, build_opener

import dns.resolver
import pytest
from markdown_it import MarkdownIt
from rich.segment import Segment
from textual.geometry import Region
from textual.widgets import Static

from tests.enrich.dnsserver import DnsTestServer
from tests.enrich.rdapserver import RdapTestServer, rdap_network
from tuitrace.enrich.enricher import Enricher
from tuitrace.enrich.inert import REPLACEMENT
from tuitrace.enrich.options import EnrichOptions
from tuitrace.enrich.rdap import ipwhois_fetch
from tuitrace.report.csv import render_csv
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text
from tuitrace.ui.app import TraceApp
from tuitrace.ui.options import UiOptions
from tuitrace.ui.screens.detail import ResponderDetailScreen

from .fake_engine import FakeEngine
from .fakes import FakeEnricher
from .helpers import table

R = REPLACEMENT
GW, R4 = "10.0.1.1", "10.0.4.1"
# What a hostile PTR server sends for the gateway (raw labels) and what dnspython makes of it (\DDD escapes).
GW_LABELS = (b"[bold]LOUD[/]", b"``x``|y|", b"\x1b[31mred", "\u202eevil".encode(), b"\x07", b"test")
GW_NAME = r"[bold]LOUD[/].``x``|y|.\027[31mred.\226\128\174evil.\007.test"
AS_NAME = "[link=http://evil.example/]click[/link] \x1b]8;;http://evil.example/\x07x\x1b]8;;\x07 \u202eRTL"
AS_SHOWN = f"AS64500 [link=http://evil.example/]click[/link] {R}]8;;http://evil.example/{R}x{R}]8;;{R} {R}RTL"
R4_LABELS = (b"[/]", b"\x1b]52;c;cm0gLXJmIH4=\x07", b"r4", b"test")
R4_NAME = r"[/].\027]52\;c\;cm0gLXJmIH4=\007.r4.test"
OWNER = "[/][red]Evil[/red] \x1b[5mCorp\u202e " + "W" * 10_000
OWNER_SHOWN = f"[/][red]Evil[/red] {R}[5mCorp{R} WWW"
PUBLIC = "11.0.0.1"  # the registry's answer is always the one for this address (lab addresses are private)


def safe(text: str) -> bool:
    """Nothing a terminal would act on: no C0/C1 control, no bidi or other format character."""
    return not any(unicodedata.category(c) in ("Cc", "Cf") for c in text.replace("\n", ""))


@pytest.fixture(autouse=True)
def loopback_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """ipwhois builds a (here unused) resolver from /etc/resolv.conf: give it a loopback one instead."""

    def loopback(self: dns.resolver.BaseResolver, f: Any) -> None:
        self.nameservers = ["127.0.0.1"]

    monkeypatch.setattr(dns.resolver.BaseResolver, "read_resolv_conf", loopback)
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")


@pytest.fixture
def enricher() -> Iterator[Enricher]:
    with DnsTestServer("127.0.0.1") as dns_server, RdapTestServer() as rdap:
        dns_server.add_ptr(GW, GW_LABELS)
        dns_server.add_ptr(R4, R4_LABELS)
        for address in (GW, R4):
            dns_server.add_origin(address, "64500 | 10.0.0.0/8 | ZZ | private | 2020-01-01")
        dns_server.add_as(64500, "64500 | ZZ | private | 2020-01-01 | " + AS_NAME + " " + "Z" * 10_000)
        network = rdap_network("NET-11-0", "[bold]NET[/]", "11.0.0.0/8", "ZZ", OWNER)
        network["entities"][0]["roles"] = ["[/]", "[blink]registrant"]
        network["events"][0]["eventAction"] = "[/]\x1b[2J"
        rdap.networks[PUBLIC] = network
        fetch = ipwhois_fetch(rdap.url, 2.0, build_opener(ProxyHandler({})))
        options = EnrichOptions(dns_server=dns_server.address, geoip_search_dirs=(), lookup_private=True,
                                timeout=2.0, rdap_interval=0.0)
        with Enricher(options, rdap_fetch=lambda _address: fetch(PUBLIC)) as service:
            for address in (GW, R4):
                service.request(address)
            assert service.wait_idle(15)
            yield service


def test_the_enricher_hands_out_the_names_as_text(enricher: Enricher) -> None:
    assert enricher.get(GW).hostname == GW_NAME
    assert enricher.get(R4).hostname == R4_NAME
    assert enricher.get(GW).as_text.startswith(AS_SHOWN)


def look(segment: Segment) -> tuple[object, ...]:
    """How a segment looks (its meta, the column number, aside)."""
    style = segment.style
    assert style is not None
    return (style.color, style.bgcolor, style.bold, style.dim, style.italic, style.underline, style.blink,
            style.reverse, style.strike, style.link)


def host_segments(app: TraceApp, row_key: str) -> list[Segment]:
    hop_table = table(app)
    width, height = hop_table.size
    index = next(i for i, row in enumerate(hop_table.rows_shown) if row.key == row_key)
    strip = hop_table.render_lines(Region(0, 0, width, height))[1 + index]  # line 0: the column titles
    return list(strip)


async def test_the_table_shows_the_literal_names_without_their_styling(
    engine: FakeEngine, enricher: Enricher,
) -> None:
    app = TraceApp(engine, UiOptions(enricher=enricher))
    async with app.run_test(size=(240, 30)) as pilot:
        await pilot.pause()  # 240 columns: the AS / place column shows by itself
        gateway, router = host_segments(app, "hop-1"), host_segments(app, "hop-4")
        gateway_text = "".join(s.text for s in gateway)
        assert GW_NAME[:30] in gateway_text and AS_SHOWN[:10] in gateway_text
        assert R4_NAME[:30] in "".join(s.text for s in router)
        # The hostile names are drawn exactly like the row's plain cells (the "1." in front): no link, no
        # blink, no colour or weight of their own.
        plain = look(gateway[0])
        named = [s for s in gateway if GW_NAME[:10] in s.text or AS_SHOWN[:10] in s.text]
        assert len(named) == 2
        assert [look(s) for s in named] == [plain, plain]
        assert safe(gateway_text)


async def test_the_detail_view_shows_names_and_owner_as_text(engine: FakeEngine, enricher: Enricher) -> None:
    app = TraceApp(engine, UiOptions(enricher=enricher))
    async with app.run_test(size=(160, 60)) as pilot:
        await pilot.press(*["down"] * 6)
        assert table(app).selected_key == "hop-4"
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, ResponderDetailScreen)
        for _ in range(100):
            await pilot.pause(0.05)
            if "Lab" in screen.body or "[bold]NET[/]" in screen.body:
                break
        body = screen.body
        for shown in (R4_NAME, "[bold]NET[/]", OWNER_SHOWN, "[/]"):
            assert shown in body, shown
        # On screen: the markup is there as characters, drawn like the plain values next to it.
        widget = screen.query_one("#detail-body", Static)
        width, height = widget.outer_size
        segments = [s for strip in widget.render_lines(Region(0, 0, width, height)) for s in strip]
        drawn = "".join(s.text for s in segments)
        for shown in ("[bold]NET[/]", "[/], [blink]registrant", OWNER_SHOWN[:20], "[link=http://evil.example/]"):
            assert shown in drawn, shown
        [plain] = [look(s) for s in segments if s.text.startswith("11.0.0.0/8")]
        hostile = [s for s in segments if "[bold]NET[/]" in s.text or OWNER_SHOWN[:10] in s.text]
        assert hostile and {look(s) for s in hostile} == {plain}
        assert safe(drawn)
        svg = app.export_screenshot()
        text = "".join(ET.fromstring(svg).itertext()).replace("\xa0", " ")
        for shown in (R4_NAME[:20], "[bold]NET[/]", OWNER_SHOWN[:20]):
            assert shown in text, shown
        assert safe(text)


async def test_the_screenshot_and_its_markdown_keep_the_names_inert(
    engine: FakeEngine, enricher: Enricher, tmp_path: Path,
) -> None:
    app = TraceApp(engine, UiOptions(enricher=enricher, output_dir=tmp_path))
    async with app.run_test(size=(240, 30)) as pilot:  # wide: the AS / place column shows by itself
        await pilot.press("s")
        await pilot.pause()
    svg_path, md_path = sorted(tmp_path.iterdir(), key=lambda p: p.suffix == ".md")
    root = ET.parse(svg_path).getroot()  # well-formed XML: '<', '&' and quotes were escaped
    svg_text = "".join(root.itertext()).replace("\xa0", " ")
    assert GW_NAME[:30] in svg_text and AS_SHOWN[:10] in svg_text
    assert safe(svg_text)
    markdown = md_path.read_text(encoding="utf-8")
    assert GW_NAME in markdown and safe(markdown)
    tokens = MarkdownIt("commonmark").parse(markdown)
    holding = [t for t in tokens if GW_NAME in t.content]
    assert [t.type for t in holding] == ["fence"], "the names stay inside the fenced report"
    assert not [t for t in tokens if t.type in ("html_block", "table_open")]


def test_the_reports_carry_the_same_inert_names(engine: FakeEngine, enricher: Enricher) -> None:
    snapshot = engine.snapshot()
    text = render_text(snapshot, enricher.get)
    assert GW_NAME in text and safe(text)
    report = json.loads(render_json(snapshot, enricher.get))
    [gateway] = report["hops"][0]["responders"]
    assert gateway["hostname"] == GW_NAME
    assert gateway["as_name"] == enricher.get(GW).as_name
    rows = list(csv.DictReader(io.StringIO(render_csv(snapshot, enricher.get))))
    [row] = [r for r in rows if r["responder_address"] == GW]
    assert (row["responder_hostname"], row["responder_as_name"]) == (GW_NAME, enricher.get(GW).as_name)
    assert all(safe(value) for r in rows for value in r.values())


async def test_a_notice_naming_a_hostile_file_is_shown_as_text(engine: FakeEngine) -> None:
    """Notices quote file names and errors; a '[/]' in one used to end the app with a MarkupError."""
    notice = "GeoIP database /srv/[/][bold]geo.mmdb not found"
    app = TraceApp(engine, UiOptions(enricher=FakeEnricher({}, pending_notices=[notice])))
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()
        assert [n.message for n in app._notifications] == [notice]
        await pilot.pause()
        assert app.is_running
