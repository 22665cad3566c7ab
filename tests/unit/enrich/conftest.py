"""Fixtures for the enrichment tests: a loopback DNS server, options pointing at it, and a guard that keeps
every test away from the machine's real resolver (tests/conftest.py keeps them off non-loopback addresses)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import dns.resolver
import pytest

from tests.enrich.dnsserver import DnsTestServer
from tuitrace.enrich.options import EnrichOptions

MakeOptions = Callable[..., EnrichOptions]


@pytest.fixture(autouse=True)
def no_system_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that forgot ``dns_server`` finds no system resolver instead of querying a real one."""

    def refuse(self: dns.resolver.BaseResolver, f: Any) -> None:
        raise dns.resolver.NoResolverConfiguration  # the tests never use the system resolver

    monkeypatch.setattr(dns.resolver.BaseResolver, "read_resolv_conf", refuse)


@pytest.fixture
def loopback_resolver_for_ipwhois(monkeypatch: pytest.MonkeyPatch) -> None:
    """ipwhois builds a resolver from /etc/resolv.conf that the RDAP tests never use: give it a loopback one
    instead of none (it would refuse to start). Overrides ``no_system_resolver`` where it is used."""

    def loopback(self: dns.resolver.BaseResolver, f: Any) -> None:
        self.nameservers = ["127.0.0.1"]

    monkeypatch.setattr(dns.resolver.BaseResolver, "read_resolv_conf", loopback)


@pytest.fixture
def dns_server() -> Iterator[DnsTestServer]:
    with DnsTestServer("127.0.0.1") as server:
        yield server


@pytest.fixture
def make_options(dns_server: DnsTestServer) -> MakeOptions:
    """Options that send DNS only to the test server and find no GeoIP database unless given one."""

    def make(**changes: Any) -> EnrichOptions:
        settings: dict[str, Any] = {"dns_server": dns_server.address, "geoip_search_dirs": (), "timeout": 1.0}
        settings.update(changes)
        return EnrichOptions(**settings)

    return make
