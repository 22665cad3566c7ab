"""Private and special addresses get a local label; public ones get none."""

from __future__ import annotations

import pytest

from tuitrace.enrich.info import EMPTY_INFO, EnrichInfo
from tuitrace.enrich.special import special_label


@pytest.mark.parametrize(
    ("address", "label"),
    [
        ("10.1.2.3", "private (RFC 1918)"),
        ("172.31.255.254", "private (RFC 1918)"),
        ("192.168.1.1", "private (RFC 1918)"),
        ("100.64.0.1", "shared CGNAT (RFC 6598)"),
        ("100.127.255.254", "shared CGNAT (RFC 6598)"),
        ("169.254.10.1", "link-local"),
        ("127.0.0.1", "loopback"),
        ("192.0.2.7", "documentation (TEST-NET-1)"),
        ("198.51.100.7", "documentation (TEST-NET-2)"),
        ("203.0.113.7", "documentation (TEST-NET-3)"),
        ("255.255.255.255", "broadcast"),
        ("fd12:3456::1", "unique local (ULA)"),
        ("fe80::1%eth0", "link-local"),
        ("::1", "loopback"),
        ("2001:db8::1", "documentation (RFC 3849)"),
    ],
)
def test_special_ranges_are_labelled(address: str, label: str) -> None:
    assert special_label(address) == label


@pytest.mark.parametrize("address", ["100.128.0.1", "172.32.0.1", "11.0.0.1", "2a00:1450::1", "192.0.3.1"])
def test_addresses_just_outside_the_ranges_are_public(address: str) -> None:
    assert special_label(address) is None


@pytest.mark.parametrize("text", ["", "router.example", "10.0.0.256", "::g"])
def test_non_addresses_have_no_label(text: str) -> None:
    assert special_label(text) is None


def test_place_and_as_text_render_what_is_known() -> None:
    full = EnrichInfo(asn=64500, as_name="LAB-AS", country="DE", city="Frankfurt")
    assert (full.place, full.as_text) == ("Frankfurt, DE", "AS64500 LAB-AS")
    assert (EnrichInfo(country="DE").place, EnrichInfo(asn=64500).as_text) == ("DE", "AS64500")
    assert (EMPTY_INFO.place, EMPTY_INFO.as_text) == ("", "")
