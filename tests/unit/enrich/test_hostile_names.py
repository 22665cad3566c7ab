"""Hostile names: PTR records, Team Cymru AS names, GeoIP places and RDAP owners written to attack the screen
(escape sequences, OSC 8 links, OSC 52 clipboard writes, bells, C1 controls, right-to-left overrides, markup,
10 kB strings, bytes that are not UTF-8) come out of the enricher as one printable, bounded line."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any
from urllib.request import ProxyHandler, build_opener

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.enrich import geodb
from tests.enrich.dnsserver import DnsTestServer
from tests.enrich.rdapserver import RdapTestServer, rdap_network
from tests.unit.enrich.conftest import MakeOptions
from tuitrace.enrich.enricher import Enricher
from tuitrace.enrich.inert import ELLIPSIS, MAX_NAME, REPLACEMENT, inert_text, inert_tree
from tuitrace.enrich.rdap import ipwhois_fetch

R = REPLACEMENT
PUBLIC = "11.0.0.1"  # only a query name and a URL path, both on loopback
ORIGIN_TXT = "64500 | 11.0.0.0/8 | US | arin | 1990-01-01"
ESC_NAME = "\x1b[31mred\x1b[0m"
OSC8 = "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07"
OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"
MARKUP = "[bold red]LOUD[/] [link=http://evil.example/]x[/link] [/]"
RLO = "abc\u202edcba.example"


def shown_safely(text: str, limit: int = MAX_NAME) -> bool:
    """Printable, one line, bounded: nothing a terminal or a bidi algorithm would act on."""
    return text.isprintable() and len(text) <= limit and not any(
        unicodedata.category(c) in ("Cc", "Cf") for c in text
    )


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        (ESC_NAME, f"{R}[31mred{R}[0m"),
        (OSC8, f"{R}]8;;http://evil.example/{R}click{R}]8;;{R}"),
        (OSC52, f"{R}]52;c;cm0gLXJmIH4={R}"),
        ("ring\x07bell\x08\x7f", f"ring{R}bell{R}{R}"),
        ("\x9b31mC1\x90q\x9c", f"{R}31mC1{R}q{R}"),
        (RLO, f"abc{R}dcba.example"),
        ("\u2066isolated\u2069 \u200bzero\u200dwidth \u00adsoft", f"{R}isolated{R} {R}zero{R}width {R}soft"),
        ("two\nlines\r\n\tand  tabs ", "two lines and tabs"),
        ("line\u2028separator\u2029para", "line separator para"),
        (MARKUP, MARKUP),
        ("`code` | pipe | *star* <b>&amp;</b>", "`code` | pipe | *star* <b>&amp;</b>"),
        (b"caf\xc3 \xff\xfe", f"caf{R} {R}{R}"),
        ("\ud800lone surrogate", f"{R}lone surrogate"),
        ("rtr-1.fra.example.net", "rtr-1.fra.example.net"),
    ],
)
def test_hostile_text_becomes_inert(hostile: str | bytes, shown: str) -> None:
    assert inert_text(hostile) == shown
    assert shown_safely(inert_text(hostile))


def test_ten_kilobytes_are_cut_to_one_name() -> None:
    shown = inert_text("A" * 10_000)
    assert shown == "A" * (MAX_NAME - 1) + ELLIPSIS
    assert inert_text("x " * 5_000).endswith(ELLIPSIS)
    assert inert_text(" " * 10_000 + "late") == ELLIPSIS


@given(st.one_of(st.text(), st.binary()))
def test_anything_becomes_a_safe_line(value: str | bytes) -> None:
    assert shown_safely(inert_text(value))


def test_an_rdap_answer_is_cleaned_all_the_way_down() -> None:
    answer = {"network": {"name": ESC_NAME, "events": [{"action": RLO, "n": 3, "ok": True}]},
              "objects": {OSC52: {"contact": {"name": "x" * 10_000, "email": None}}},
              "remarks": list(range(1_000)), "odd": object()}
    clean: Any = inert_tree(answer)
    assert clean["network"]["name"] == f"{R}[31mred{R}[0m"
    assert clean["network"]["events"] == [{"action": f"abc{R}dcba.example", "n": 3, "ok": True}]
    [(key, entity)] = clean["objects"].items()
    assert key == f"{R}]52;c;cm0gLXJmIH4={R}"
    assert entity["contact"] == {"name": "x" * (MAX_NAME - 1) + ELLIPSIS, "email": None}
    assert len(clean["remarks"]) == 64
    assert shown_safely(clean["odd"])


def serve_hostile(server: DnsTestServer) -> None:
    """A PTR with raw hostile labels, and an AS name that is every attack at once, 10 kB long."""
    server.add_ptr(PUBLIC, (b"\x1b[31mred", "\u202eevil".encode(), b"\xff\xfe", b"[bold red]x[/]", b"test"))
    server.add_origin(PUBLIC, ORIGIN_TXT)
    as_name = (OSC8 + " " + MARKUP + " " + RLO).encode() + b" \xc3\x28 " + b"Z" * 10_000
    server.add_as(64500, b"64500 | US | arin | 1990-01-01 | " + as_name)


def test_names_from_a_hostile_dns_server_are_inert(dns_server: DnsTestServer,
                                                   make_options: MakeOptions) -> None:
    serve_hostile(dns_server)
    with Enricher(make_options()) as enricher:
        enricher.request(PUBLIC)
        assert enricher.wait_idle(15)
        info = enricher.get(PUBLIC)
    # dnspython writes unprintable label bytes as \DDD, so the PTR name arrives escaped and stays readable
    assert info.hostname == r"\027[31mred.\226\128\174evil.\255\254.[bold\032red]x[/].test"
    assert info.as_name is not None
    osc8 = f"{R}]8;;http://evil.example/{R}click{R}]8;;{R}"
    assert info.as_name.startswith(f"{osc8} {MARKUP} abc{R}dcba.example {R}( ZZZ")
    assert info.as_name.endswith(ELLIPSIS) and len(info.as_name) == MAX_NAME
    for text in (info.hostname, info.as_name):
        assert shown_safely(text), text
    assert shown_safely(info.as_text, len("AS64500 ") + MAX_NAME)


def test_names_from_a_hostile_geoip_file_are_inert(make_options: MakeOptions, tmp_path: Path) -> None:
    place = geodb.Place("DE", "Germany", "Ber\x1b]52;c;eA==\x07lin\u202e")
    city = geodb.geolite2_city(tmp_path / "city.mmdb", {"11.0.0.0/8": place})
    owner = geodb.Owner(64999, "GEO\nAS " + "Q" * 9_000)
    asn = geodb.geolite2_asn(tmp_path / "asn.mmdb", {"11.0.0.0/8": owner})
    with Enricher(make_options(no_lookups=True, geoip_paths=(str(city), str(asn)))) as enricher:
        enricher.request(PUBLIC)
        assert enricher.wait_idle(15)
        info = enricher.get(PUBLIC)
    assert info.city == f"Ber{R}]52;c;eA=={R}lin{R}"
    assert info.as_name == "GEO AS " + "Q" * (MAX_NAME - 8) + ELLIPSIS


pytestmark = pytest.mark.usefixtures("loopback_resolver_for_ipwhois")


@pytest.fixture
def hostile_rdap(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")
    with RdapTestServer() as server:
        network = rdap_network("NET-11-0", MARKUP, "11.0.0.0/8", "ZZ", OSC8 + RLO + "W" * 10_000)
        network["remarks"] = [{"description": [ESC_NAME + "\x9b2J"]}]
        server.networks[PUBLIC] = network
        body = json.dumps(rdap_network("NET-11-1", "@NAME@", "11.0.0.0/8", "ZZ", "Org")).encode()
        server.raw[UNREADABLE] = body.replace(b"@NAME@", b"N\xc3\xff\xfe-net")
        yield server


UNREADABLE = "11.0.0.2"


def test_owners_from_a_hostile_rdap_server_are_inert(hostile_rdap: RdapTestServer,
                                                     make_options: MakeOptions) -> None:
    fetch = ipwhois_fetch(hostile_rdap.url, 2.0, build_opener(ProxyHandler({})))
    with Enricher(make_options(), rdap_fetch=fetch) as enricher:
        answer = enricher.detail(PUBLIC).result(timeout=15)
        not_utf8 = enricher.detail(UNREADABLE).result(timeout=15)
    assert isinstance(answer, dict)
    assert answer["network"]["name"] == MARKUP
    assert answer["network"]["remarks"][0]["description"] == f"{R}[31mred{R}[0m{R}2J"
    [owner] = (obj["contact"]["name"] for obj in answer["objects"].values())
    assert owner.startswith(f"{R}]8;;http://evil.example/{R}click{R}]8;;{R}abc{R}dcba.exampleWWW")
    assert len(owner) == MAX_NAME
    assert isinstance(not_utf8, dict)
    assert not_utf8["network"]["name"] in ("N-net", f"N{R}{R}{R}-net")  # ipwhois drops what is not UTF-8
