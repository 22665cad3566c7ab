"""Team Cymru query names and TXT parsing: well-formed answers are read, anything else is "unknown"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.enrich.dnsserver import cymru_origin_name
from tuitrace.enrich.asn import (
    AsDescription,
    Origin,
    as_qname,
    best_origin,
    origin_qname,
    parse_as_description,
    parse_origin,
)


@pytest.mark.parametrize("address", ["192.0.2.1", "10.9.0.254", "2001:db8::1", "2001:db8:a:b::", "fd00::5"])
def test_origin_names_use_the_reversed_octets_or_all_nibbles(address: str) -> None:
    assert origin_qname(address) == cymru_origin_name(address) + "."


def test_names_for_v4_and_as() -> None:
    assert origin_qname("192.0.2.1") == "1.2.0.192.origin.asn.cymru.com."
    assert as_qname(64500) == "AS64500.asn.cymru.com."
    assert origin_qname("not-an-address") is None


def test_origin_answer_is_read() -> None:
    assert parse_origin("64500 | 10.9.0.0/16 | ZZ | private | 2020-01-01") == Origin(
        64500, "10.9.0.0/16", None, "private"
    )
    assert parse_origin("3320 | 2003::/19 | DE | ripencc | 2005-04-19") == Origin(
        3320, "2003::/19", "DE", "ripencc"
    )


def test_multi_origin_answer_takes_the_first_as() -> None:
    origin = parse_origin("64500 64501 | 192.0.2.0/24 | US | arin |")
    assert origin is not None and origin.asn == 64500


def test_most_specific_prefix_wins() -> None:
    best = best_origin((
        "64500 | 10.0.0.0/8 | ZZ | private | 2020-01-01",
        "garbage",
        "64501 | 10.9.0.0/16 | ZZ | private | 2020-01-01",
    ))
    assert best is not None and (best.asn, best.prefix) == (64501, "10.9.0.0/16")


def test_as_description_drops_the_trailing_country() -> None:
    assert parse_as_description("64500 | ZZ | private | 2020-01-01 | LAB-AS, ZZ") == AsDescription(
        64500, "LAB-AS", None, "private"
    )
    described = parse_as_description("15169 | US | arin | 2000-03-30 | GOOGLE - Google LLC, US")
    assert described is not None and described.name == "GOOGLE - Google LLC"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not | cymru",
        "abc | 10.0.0.0/8 | ZZ | x | y",
        "0 | 10.0.0.0/8 | ZZ",
        "4294967296 | 10.0.0.0/8 | ZZ",
    ],
)
def test_malformed_origins_are_unknown(text: str) -> None:
    assert parse_origin(text) is None


def test_bad_prefix_keeps_the_as_but_not_the_prefix() -> None:
    origin = parse_origin("64500 | not-a-prefix | ZZ | private")
    assert origin is not None and (origin.asn, origin.prefix) == (64500, None)


@given(st.text())
def test_parsers_never_raise(text: str) -> None:
    parse_origin(text)
    parse_as_description(text)
    best_origin((text, text))
