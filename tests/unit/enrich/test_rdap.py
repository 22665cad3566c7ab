"""RDAP details through ipwhois's own HTTP client and parser, against an RDAP service on loopback; the
rate limit, cache and queue bound with a controlled clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.request import ProxyHandler, build_opener

import pytest

from tests.enrich.rdapserver import RdapTestServer, rdap_network
from tests.unit.enrich.conftest import MakeOptions
from tuitrace.enrich.enricher import Enricher
from tuitrace.enrich.rdap import CACHE_TTL, MAX_QUEUED, RdapDetails, ipwhois_fetch

# ipwhois refuses documentation ranges; this address is only a path asked of the loopback server.
PUBLIC = "11.0.0.1"
UNKNOWN = "11.0.0.2"


pytestmark = pytest.mark.usefixtures("loopback_resolver_for_ipwhois")


@pytest.fixture
def rdap_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RdapTestServer]:
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")
    with RdapTestServer() as server:
        server.networks[PUBLIC] = rdap_network("NET-11-0", "LAB-NET", "11.0.0.0/8", "ZZ", "Lab Networks Ltd")
        yield server


class FakeTime:
    """A clock that only moves when the code under test sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_details_come_from_the_rdap_service(rdap_server: RdapTestServer, make_options: MakeOptions) -> None:
    fetch = ipwhois_fetch(rdap_server.url, 2.0, build_opener(ProxyHandler({})))
    with Enricher(make_options(), rdap_fetch=fetch) as enricher:
        result = enricher.detail(PUBLIC).result(timeout=15)
        assert isinstance(result, dict)
        assert (result["network"]["name"], result["network"]["cidr"]) == ("LAB-NET", "11.0.0.0/8")
        assert result["objects"]["NET-11-0-ORG"]["contact"]["name"] == "Lab Networks Ltd"
        assert enricher.detail(PUBLIC).result(timeout=15) == result
    assert rdap_server.paths == [f"/rdap/ip/{PUBLIC}"]


def test_the_rdap_url_option_is_used(rdap_server: RdapTestServer, make_options: MakeOptions) -> None:
    with Enricher(make_options(rdap_url=rdap_server.url)) as enricher:
        result = enricher.detail(PUBLIC).result(timeout=15)
    assert isinstance(result, dict) and result["network"]["name"] == "LAB-NET"


def test_a_failed_lookup_is_a_one_line_message_and_is_not_retried_at_once(
    rdap_server: RdapTestServer, make_options: MakeOptions,
) -> None:
    with Enricher(make_options(rdap_url=rdap_server.url)) as enricher:
        first = enricher.detail(UNKNOWN).result(timeout=15)
        assert isinstance(first, str) and first.startswith(f"RDAP lookup for {UNKNOWN} failed:")
        assert "\n" not in first and "404" in first
        assert enricher.detail(UNKNOWN).result(timeout=15) == first
    assert rdap_server.paths == [f"/rdap/ip/{UNKNOWN}"]


def test_no_lookups_sends_no_rdap(rdap_server: RdapTestServer, make_options: MakeOptions) -> None:
    with Enricher(make_options(rdap_url=rdap_server.url, no_lookups=True)) as enricher:
        assert enricher.detail(PUBLIC).result(timeout=5) == "RDAP lookups are off (--no-lookups)"
    assert rdap_server.paths == []


def test_private_addresses_are_not_sent(rdap_server: RdapTestServer, make_options: MakeOptions) -> None:
    with Enricher(make_options(rdap_url=rdap_server.url)) as enricher:
        message = enricher.detail("10.9.0.1").result(timeout=5)
    assert message == "10.9.0.1 is private (RFC 1918): not sent to RDAP (use --lookup-private)"
    assert rdap_server.paths == []


def test_lookup_private_passes_them_on(make_options: MakeOptions) -> None:
    asked: list[str] = []

    def fetch(address: str) -> dict[str, Any]:
        asked.append(address)
        return {"query": address}

    with Enricher(make_options(lookup_private=True), rdap_fetch=fetch) as enricher:
        assert enricher.detail("10.9.0.1").result(timeout=5) == {"query": "10.9.0.1"}
        assert enricher.detail("not an address").result(timeout=5) == "'not an address' is not an IP address"
    assert asked == ["10.9.0.1"]


def test_requests_are_spaced_by_the_minimum_interval() -> None:
    fake = FakeTime()
    details = RdapDetails(lambda a: {"query": a}, min_interval=2.0, clock=fake.clock, sleep=fake.sleep)
    try:
        assert details.detail("11.0.0.1").result(timeout=5) == {"query": "11.0.0.1"}
        details.detail("11.0.0.2").result(timeout=5)
        fake.now += 0.5
        details.detail("11.0.0.3").result(timeout=5)
        fake.now += 10
        details.detail("11.0.0.4").result(timeout=5)
    finally:
        details.close()
    assert fake.sleeps == [2.0, 1.5]


def test_cached_details_expire(make_options: MakeOptions) -> None:
    fake = FakeTime()
    calls: list[str] = []

    def fetch(address: str) -> dict[str, Any]:
        calls.append(address)
        return {"call": len(calls)}

    details = RdapDetails(fetch, min_interval=0.0, clock=fake.clock, sleep=fake.sleep)
    try:
        assert details.detail(PUBLIC).result(timeout=5) == {"call": 1}
        fake.now += CACHE_TTL - 1
        assert details.detail(PUBLIC).result(timeout=5) == {"call": 1}
        fake.now += 2
        assert details.detail(PUBLIC).result(timeout=5) == {"call": 2}
    finally:
        details.close()


def test_queue_is_bounded_and_close_answers_what_is_left() -> None:
    release = threading.Event()

    def slow(address: str) -> dict[str, Any]:
        release.wait(10)
        return {"query": address}

    details = RdapDetails(slow, min_interval=0.0)
    futures = [details.detail(f"11.0.1.{n}") for n in range(MAX_QUEUED)]
    assert details.detail("11.0.2.1").result(timeout=1) == (
        "too many RDAP lookups queued; try again in a moment"
    )
    assert details.detail("11.0.1.0") is futures[0]  # the same lookup is shared, not queued twice
    details.close()
    release.set()
    assert {f.result(timeout=5) == "RDAP lookups are closed" for f in futures[1:]} == {True}
    assert details.detail("11.0.3.1").result(timeout=1) == "RDAP lookups are closed"
