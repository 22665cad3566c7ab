"""The enricher against a real DNS server on loopback: names and owners arrive in the background, every kind
of resolver failure leaves a clean "unknown", and the privacy flags decide what is ever asked."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.enrich import geodb
from tests.enrich.dnsserver import DnsTestServer, Mode, cymru_origin_name
from tests.unit.enrich.conftest import MakeOptions
from tuitrace.enrich.asn import AsDescription
from tuitrace.enrich.dnsquery import FAILURE_TTL, DnsResult
from tuitrace.enrich.enricher import FIRST_RETRY, Enricher
from tuitrace.enrich.info import EMPTY_INFO, EnrichInfo
from tuitrace.enrich.options import EnrichOptions

ROUTER = "10.9.0.1"  # lab-style private address: looked up, never probed
ROUTER_PTR = "1.0.9.10.in-addr.arpa"
PUBLIC = "11.0.0.1"  # only a query name sent to the loopback server
V6_ROUTER = "2001:db8:9::1"
ORIGIN_TXT = "64500 | 10.9.0.0/16 | ZZ | private | 2020-01-01"
AS_TXT = "64500 | ZZ | private | 2020-01-01 | LAB-AS, ZZ"
MakeEnricher = Callable[..., Enricher]
BERLIN = geodb.Place("DE", "Germany", "Berlin")
ROUTER_INFO = EnrichInfo(
    hostname="r1.lab.test", asn=64500, as_name="LAB-AS", prefix="10.9.0.0/16", registry="private",
    label="private (RFC 1918)",
)
PUBLIC_INFO = EnrichInfo(hostname="edge.public.test", asn=64502, as_name="EDGE-NET", prefix="11.0.0.0/8",
                         registry="arin", country="US")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def serve_lab(server: DnsTestServer) -> None:
    server.add_ptr(ROUTER, "r1.lab.test")
    server.add_origin(ROUTER, ORIGIN_TXT)
    server.add_as(64500, AS_TXT)
    server.add_ptr("10.9.0.2", "r2.lab.test")
    server.add_origin("10.9.0.2", ORIGIN_TXT)
    server.add_ptr(PUBLIC, "edge.public.test")
    server.add_origin(PUBLIC, "64502 | 11.0.0.0/8 | US | arin | 1990-01-01")
    server.add_as(64502, "64502 | US | arin | 1990-01-01 | EDGE-NET, US")


@pytest.fixture
def lab_server(dns_server: DnsTestServer) -> DnsTestServer:
    serve_lab(dns_server)
    return dns_server


@pytest.fixture
def enricher_for() -> Iterator[Callable[..., Enricher]]:
    made: list[Enricher] = []

    def make(options: EnrichOptions, **kwargs: object) -> Enricher:
        enricher = Enricher(options, **kwargs)  # type: ignore[arg-type]
        enricher.start()
        made.append(enricher)
        return enricher

    yield make
    for enricher in made:
        enricher.close()


def look_up(enricher: Enricher, *addresses: str) -> list[EnrichInfo]:
    for address in addresses:
        enricher.request(address)
    assert enricher.wait_idle(15)
    return [enricher.get(address) for address in addresses]


def names(server: DnsTestServer, qtype: str | None = None) -> Counter[str]:
    return Counter(q.name for q in server.queries if qtype is None or q.qtype == qtype)


def test_answers_give_name_as_and_prefix(lab_server: DnsTestServer, make_options: MakeOptions,
                                         enricher_for: MakeEnricher) -> None:
    enricher = enricher_for(make_options(lookup_private=True))
    assert look_up(enricher, ROUTER) == [ROUTER_INFO]
    assert ROUTER_INFO.as_text == "AS64500 LAB-AS"


def test_public_address_uses_the_registry_country(lab_server: DnsTestServer, make_options: MakeOptions,
                                                   enricher_for: MakeEnricher) -> None:
    assert look_up(enricher_for(make_options()), PUBLIC) == [PUBLIC_INFO]


def test_ipv6_server_and_ipv6_names(make_options: MakeOptions, enricher_for: MakeEnricher) -> None:
    try:
        server = DnsTestServer("::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with server:
        server.add_ptr(V6_ROUTER, "r6.lab.test")
        server.add_origin(V6_ROUTER, "64501 | 2001:db8:9::/48 | ZZ | private | 2020-01-01")
        server.add_as(64501, "64501 | ZZ | private | 2020-01-01 | SIX-AS, ZZ")
        enricher = enricher_for(make_options(dns_server=server.address, lookup_private=True))
        [info] = look_up(enricher, V6_ROUTER.upper())
        assert (info.hostname, info.as_text) == ("r6.lab.test", "AS64501 SIX-AS")
        assert info.prefix == "2001:db8:9::/48"
        assert enricher.get(V6_ROUTER) == info
        assert cymru_origin_name(V6_ROUTER) in server.names_asked()


def test_answers_over_tcp_when_udp_is_truncated(lab_server: DnsTestServer, make_options: MakeOptions,
                                                enricher_for: MakeEnricher) -> None:
    lab_server.truncate_udp = True
    assert look_up(enricher_for(make_options(lookup_private=True)), ROUTER) == [ROUTER_INFO]
    assert {q.transport for q in lab_server.queries} == {"udp", "tcp"}


@pytest.mark.parametrize("mode", [Mode.NXDOMAIN, Mode.SERVFAIL, Mode.SILENT, Mode.MALFORMED, Mode.GARBAGE])
def test_every_failure_is_a_clean_unknown(mode: Mode, lab_server: DnsTestServer, make_options: MakeOptions,
                                          enricher_for: MakeEnricher) -> None:
    lab_server.mode = mode
    enricher = enricher_for(make_options(lookup_private=True, timeout=0.5))
    assert look_up(enricher, ROUTER) == [EnrichInfo(label="private (RFC 1918)")]
    assert {ROUTER_PTR, cymru_origin_name(ROUTER)} <= lab_server.names_asked()
    assert enricher.notices() == [
        "no GeoIP database found (looked in nowhere): places stay empty; get a free GeoLite2, DB-IP Lite or "
        "IPinfo Lite .mmdb file and pass --geoip-db PATH (see --help)"
    ]


def test_request_and_get_return_while_the_resolver_is_silent(
    lab_server: DnsTestServer, make_options: MakeOptions, enricher_for: MakeEnricher,
) -> None:
    lab_server.mode = Mode.SILENT
    enricher = enricher_for(make_options(timeout=3.0))
    enricher.request(ROUTER)
    assert wait_for(lambda: ROUTER_PTR in lab_server.names_asked())
    assert not enricher.wait_idle(0)  # the question is still open, yet we are here
    assert enricher.get(ROUTER) == EnrichInfo(label="private (RFC 1918)")
    enricher.close()  # does not wait for the silent server
    enricher.request("10.9.0.2")
    assert enricher.get("10.9.0.2") == EnrichInfo(label="private (RFC 1918)")
    assert "2.0.9.10.in-addr.arpa" not in lab_server.names_asked()


def test_a_dead_resolver_keeps_the_last_answer(lab_server: DnsTestServer, make_options: MakeOptions,
                                               enricher_for: MakeEnricher) -> None:
    clock = FakeClock()
    enricher = enricher_for(make_options(lookup_private=True, timeout=0.5), clock=clock)
    assert look_up(enricher, ROUTER) == [ROUTER_INFO]
    lab_server.mode = Mode.SILENT
    clock.now += 3600
    assert look_up(enricher, ROUTER) == [ROUTER_INFO]
    assert names(lab_server)[ROUTER_PTR] == 2


def test_answers_are_kept_for_their_ttl_then_refreshed(
    lab_server: DnsTestServer, make_options: MakeOptions, enricher_for: MakeEnricher,
) -> None:
    clock = FakeClock()
    enricher = enricher_for(make_options(), clock=clock)
    assert look_up(enricher, ROUTER)[0].hostname == "r1.lab.test"
    generation = enricher.generation
    lab_server.add_ptr(ROUTER, "renamed.lab.test")
    clock.now += lab_server.ttl - 1
    assert look_up(enricher, ROUTER)[0].hostname == "r1.lab.test"
    assert names(lab_server)[ROUTER_PTR] == 1
    assert enricher.generation == generation
    clock.now += 2
    assert look_up(enricher, ROUTER)[0].hostname == "renamed.lab.test"
    assert names(lab_server)[ROUTER_PTR] == 2
    assert enricher.generation > generation


def test_a_resolver_down_at_start_is_retried_sooner_then_less_often(
    lab_server: DnsTestServer, make_options: MakeOptions, enricher_for: MakeEnricher,
) -> None:
    clock = FakeClock()
    enricher = enricher_for(make_options(), clock=clock)
    lab_server.mode = Mode.SERVFAIL
    assert look_up(enricher, ROUTER)[0].hostname is None
    for wait in (FIRST_RETRY, 2 * FIRST_RETRY):  # each failure doubles the wait before the next try
        clock.now += wait - 0.5
        look_up(enricher, ROUTER)
        asked = names(lab_server)[ROUTER_PTR]
        clock.now += 1
        look_up(enricher, ROUTER)
        assert names(lab_server)[ROUTER_PTR] == asked + 1
    lab_server.mode = Mode.ANSWER
    clock.now += FAILURE_TTL  # the wait never grows beyond the failure TTL
    assert look_up(enricher, ROUTER)[0].hostname == "r1.lab.test"
    clock.now += lab_server.ttl - 1  # and once answered, the record's own TTL counts again
    look_up(enricher, ROUTER)
    assert names(lab_server)[ROUTER_PTR] == 4


def test_missing_names_are_cached_too(lab_server: DnsTestServer, make_options: MakeOptions,
                                      enricher_for: MakeEnricher) -> None:
    clock = FakeClock()
    enricher = enricher_for(make_options(), clock=clock)
    unnamed = "10.9.0.77"
    assert look_up(enricher, unnamed)[0].hostname is None
    clock.now += 60
    look_up(enricher, unnamed)
    assert names(lab_server)["77.0.9.10.in-addr.arpa"] == 1
    clock.now += 3600
    look_up(enricher, unnamed)
    assert names(lab_server)["77.0.9.10.in-addr.arpa"] == 2


def test_a_flood_of_requests_asks_each_name_once(lab_server: DnsTestServer, make_options: MakeOptions,
                                                 enricher_for: MakeEnricher) -> None:
    enricher = enricher_for(make_options(lookup_private=True, concurrency=4))
    addresses = [f"10.9.1.{n}" for n in range(1, 60)] * 5 + [ROUTER] * 100 + ["10.9.0.2"] * 100
    for address in addresses:
        enricher.request(address)
    assert enricher.wait_idle(15)
    counts = names(lab_server)
    assert len(counts) == 2 * 61 + 1  # PTR and origin per address, one AS name for the shared AS64500
    assert set(counts.values()) == {1}
    assert enricher.get("10.9.0.2").as_text == "AS64500 LAB-AS"


def test_an_as_name_asked_as_its_answer_lands_is_not_asked_again(
    make_options: MakeOptions, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The window behind the flood test's rare failure, opened on purpose: a second address needs AS64500's
    name just as the first answer finishes, before the first waiter has resumed."""
    enricher = Enricher(make_options())
    asked: list[int] = []
    late: list[asyncio.Task[AsDescription | None]] = []

    async def answer(_resolver: object, asn: int, _timeout: float) -> tuple[AsDescription, DnsResult]:
        asked.append(asn)
        loop = asyncio.get_running_loop()
        loop.call_soon(lambda: late.append(loop.create_task(enricher._describe(resolver, asn))))
        return AsDescription(asn, "LAB-AS", None, None), DnsResult((AS_TXT,), 300.0)

    async def two_addresses() -> list[AsDescription | None]:
        first = await enricher._describe(resolver, 64500)
        return [first, await late[0]]

    resolver: Any = None
    monkeypatch.setattr("tuitrace.enrich.enricher.lookup_as_description", answer)
    described = asyncio.run(two_addresses())
    assert [d.name if d else None for d in described] == ["LAB-AS", "LAB-AS"]
    assert asked == [64500]


def test_tracked_addresses_are_bounded(lab_server: DnsTestServer, make_options: MakeOptions,
                                       enricher_for: MakeEnricher) -> None:
    enricher = enricher_for(make_options(), max_tracked=3)
    look_up(enricher, *(f"10.9.2.{n}" for n in range(1, 6)))
    assert len(names(lab_server, "PTR")) == 3


def test_concurrency_is_bounded(lab_server: DnsTestServer, make_options: MakeOptions,
                                enricher_for: MakeEnricher) -> None:
    lab_server.mode_for["5.0.9.10.in-addr.arpa"] = Mode.SILENT
    enricher = enricher_for(make_options(concurrency=1, timeout=2.0))
    enricher.request("10.9.0.5")
    enricher.request(ROUTER)
    assert wait_for(lambda: "5.0.9.10.in-addr.arpa" in lab_server.names_asked())
    assert ROUTER_PTR not in lab_server.names_asked()  # waits for the one slot
    assert enricher.wait_idle(15)
    assert enricher.get(ROUTER).hostname == "r1.lab.test"


def test_private_addresses_stay_away_from_asn_lookups(lab_server: DnsTestServer, make_options: MakeOptions,
                                                      enricher_for: MakeEnricher) -> None:
    private, public = look_up(enricher_for(make_options()), ROUTER, PUBLIC)
    asked = lab_server.names_asked()
    assert ROUTER_PTR in asked  # the configured resolver may know internal router names
    assert cymru_origin_name(ROUTER) not in asked
    assert cymru_origin_name(PUBLIC) in asked
    assert private == EnrichInfo(hostname="r1.lab.test", label="private (RFC 1918)")
    assert public.asn == 64502


def test_lookup_private_opts_private_addresses_in(lab_server: DnsTestServer, make_options: MakeOptions,
                                                  enricher_for: MakeEnricher) -> None:
    look_up(enricher_for(make_options(lookup_private=True)), ROUTER)
    assert cymru_origin_name(ROUTER) in lab_server.names_asked()


def test_no_lookups_sends_no_dns_at_all(lab_server: DnsTestServer, make_options: MakeOptions, tmp_path: Path,
                                        enricher_for: MakeEnricher) -> None:
    city = geodb.geolite2_city(tmp_path / "city.mmdb", {"10.9.0.0/16": BERLIN})
    options = make_options(no_lookups=True, lookup_private=True, geoip_paths=(str(city),))
    enricher = enricher_for(options)
    infos = look_up(enricher, ROUTER, PUBLIC, V6_ROUTER)
    assert lab_server.queries == []
    assert infos[0] == EnrichInfo(country="DE", city="Berlin", label="private (RFC 1918)")
    assert infos[0].place == "Berlin, DE"
    assert enricher.notices() == []


def test_numeric_skips_reverse_dns_but_not_asn(lab_server: DnsTestServer, make_options: MakeOptions,
                                               enricher_for: MakeEnricher) -> None:
    [info] = look_up(enricher_for(make_options(dns=False)), PUBLIC)
    assert names(lab_server, "PTR") == Counter()
    assert (info.hostname, info.asn) == (None, 64502)


def test_no_asn_skips_cymru_but_reads_geoip_asn(lab_server: DnsTestServer, make_options: MakeOptions,
                                                tmp_path: Path, enricher_for: MakeEnricher) -> None:
    asn_db = geodb.geolite2_asn(tmp_path / "asn.mmdb", {"11.0.0.0/8": geodb.Owner(64999, "GEO-AS")})
    options = make_options(asn=False, geoip_paths=(str(asn_db),))
    [info] = look_up(enricher_for(options), PUBLIC)
    assert names(lab_server, "TXT") == Counter()
    assert (info.hostname, info.as_text, info.prefix) == ("edge.public.test", "AS64999 GEO-AS", "11.0.0.0/8")


def test_cymru_as_wins_and_geoip_places_win(lab_server: DnsTestServer, make_options: MakeOptions,
                                            tmp_path: Path, enricher_for: MakeEnricher) -> None:
    amsterdam = geodb.Place("NL", "Netherlands", "Amsterdam")
    city = geodb.dbip_city_lite(tmp_path / "city.mmdb", {"11.0.0.0/8": amsterdam})
    asn_db = geodb.geolite2_asn(tmp_path / "asn.mmdb", {"11.0.0.0/8": geodb.Owner(64999, "GEO-AS")})
    options = make_options(geoip_paths=(str(city), str(asn_db)))
    [info] = look_up(enricher_for(options), PUBLIC)
    assert (info.as_text, info.place, info.registry) == ("AS64502 EDGE-NET", "Amsterdam, NL", "arin")


def test_places_appear_before_a_slow_resolver_answers(lab_server: DnsTestServer, make_options: MakeOptions,
                                                      tmp_path: Path, enricher_for: MakeEnricher) -> None:
    city = geodb.geolite2_city(tmp_path / "city.mmdb", {"10.9.0.0/16": BERLIN})
    lab_server.mode = Mode.SILENT
    enricher = enricher_for(make_options(geoip_paths=(str(city),), timeout=3.0))
    enricher.request(ROUTER)
    assert wait_for(lambda: enricher.get(ROUTER).city == "Berlin")
    assert not enricher.wait_idle(0)


def test_generation_grows_only_with_news(lab_server: DnsTestServer, make_options: MakeOptions,
                                         enricher_for: MakeEnricher) -> None:
    enricher = enricher_for(make_options())
    start = enricher.generation
    look_up(enricher, PUBLIC)
    after = enricher.generation
    assert after > start
    look_up(enricher, PUBLIC)
    assert enricher.generation == after


def test_without_any_resolver_the_user_is_told_once(make_options: MakeOptions,
                                                    enricher_for: MakeEnricher) -> None:
    enricher = enricher_for(make_options(dns_server=None))
    assert look_up(enricher, ROUTER) == [EnrichInfo(label="private (RFC 1918)")]
    notices = enricher.notices()
    assert any(n.startswith("no DNS resolver available") for n in notices)
    assert enricher.notices() == []


def test_bad_input_never_raises(lab_server: DnsTestServer, make_options: MakeOptions,
                                enricher_for: MakeEnricher) -> None:
    enricher = enricher_for(make_options())
    for text in ("", "router.example", "10.9.0.300", "::g"):
        enricher.request(text)
        assert enricher.get(text) == EMPTY_INFO
    assert enricher.wait_idle(5)
    assert lab_server.queries == []


def test_requests_before_start_are_kept(lab_server: DnsTestServer, make_options: MakeOptions) -> None:
    enricher = Enricher(make_options())
    enricher.request(PUBLIC)
    enricher.start()
    try:
        assert enricher.wait_idle(15)
        assert enricher.get(PUBLIC).hostname == "edge.public.test"
    finally:
        enricher.close()


def test_a_headless_report_gets_every_answer_and_the_notices(lab_server: DnsTestServer,
                                                               make_options: MakeOptions,
                                                               enricher_for: MakeEnricher) -> None:
    enricher = enricher_for(make_options(lookup_private=True))
    assert look_up(enricher, ROUTER, PUBLIC, ROUTER) == [ROUTER_INFO, PUBLIC_INFO, ROUTER_INFO]
    assert names(lab_server)[ROUTER_PTR] == 1
    assert [n.split(" (")[0] for n in enricher.notices()] == ["no GeoIP database found"]


def test_waiting_for_answers_gives_up_at_the_timeout(lab_server: DnsTestServer, make_options: MakeOptions,
                                                     enricher_for: MakeEnricher) -> None:
    lab_server.mode = Mode.SILENT
    enricher = enricher_for(make_options(timeout=5.0))
    enricher.request(ROUTER)
    assert wait_for(lambda: ROUTER_PTR in lab_server.names_asked())
    assert not enricher.wait_idle(0.2)
    assert enricher.get(ROUTER) == EnrichInfo(label="private (RFC 1918)")


def lookup_threads() -> int:
    return sum(thread.name == "tuitrace-enrich" for thread in threading.enumerate())


def test_close_stops_the_thread(lab_server: DnsTestServer, make_options: MakeOptions) -> None:
    before = lookup_threads()  # counted, not compared as names: another test's thread must not hide ours
    enricher = Enricher(make_options())
    enricher.start()
    look_up(enricher, PUBLIC)
    assert lookup_threads() == before + 1
    enricher.close()
    enricher.close()
    assert lookup_threads() == before
