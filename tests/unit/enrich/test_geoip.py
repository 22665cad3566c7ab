"""Places and fallback AS numbers from generated .mmdb files in every supported layout."""

from __future__ import annotations

from pathlib import Path

from tests.enrich import geodb
from tests.enrich.geodb import Owner, Place
from tuitrace.enrich.enricher import Enricher
from tuitrace.enrich.geoip import GeoFacts, GeoIpDatabases
from tuitrace.enrich.options import EnrichOptions

FRANKFURT = Place("DE", "Germany", "Frankfurt am Main")
PARIS = Place("FR", "France", "Paris")
LAB_AS = Owner(64500, "LAB-AS Example Networks")
V6_AS = Owner(64501, "SIX-AS")


def open_dbs(*paths: Path) -> GeoIpDatabases:
    return GeoIpDatabases([str(p) for p in paths], [])


def test_geolite2_city_and_asn(tmp_path: Path) -> None:
    places = {"10.9.0.0/16": FRANKFURT, "2001:db8::/32": PARIS}
    city = geodb.geolite2_city(tmp_path / "GeoLite2-City.mmdb", places)
    asn = geodb.geolite2_asn(tmp_path / "GeoLite2-ASN.mmdb", {"10.9.0.0/16": LAB_AS, "2001:db8::/32": V6_AS})
    dbs = open_dbs(city, asn)
    assert dbs.notices == []
    assert dbs.lookup("10.9.3.4") == GeoFacts("DE", "Frankfurt am Main", 64500, LAB_AS.name, "10.9.0.0/16")
    assert dbs.lookup("2001:db8::7") == GeoFacts("FR", "Paris", 64501, "SIX-AS", "2001:db8::/32")


def test_dbip_lite_layout(tmp_path: Path) -> None:
    city = geodb.dbip_city_lite(tmp_path / "dbip-city-lite.mmdb", {"192.0.2.0/24": FRANKFURT})
    asn = geodb.dbip_asn_lite(tmp_path / "dbip-asn-lite.mmdb", {"192.0.2.0/25": LAB_AS})
    dbs = open_dbs(city, asn)
    assert dbs.lookup("192.0.2.10") == GeoFacts("DE", "Frankfurt am Main", 64500, LAB_AS.name, "192.0.2.0/25")
    assert dbs.lookup("192.0.2.200") == GeoFacts("DE", "Frankfurt am Main")


def test_ipinfo_lite_layout_uses_the_country_code(tmp_path: Path) -> None:
    lite = geodb.ipinfo_lite(tmp_path / "ipinfo_lite.mmdb", {"198.51.100.0/24": (PARIS, LAB_AS)})
    expected = GeoFacts("FR", None, 64500, LAB_AS.name, "198.51.100.0/24")
    assert open_dbs(lite).lookup("198.51.100.1") == expected


def test_ipinfo_country_asn_and_asn_layouts(tmp_path: Path) -> None:
    country_asn = geodb.ipinfo_country_asn(tmp_path / "country_asn.mmdb", {"203.0.113.0/24": (PARIS, V6_AS)})
    expected = GeoFacts("FR", None, 64501, "SIX-AS", "203.0.113.0/24")
    assert open_dbs(country_asn).lookup("203.0.113.9") == expected
    asn = geodb.ipinfo_asn(tmp_path / "asn.mmdb", {"10.9.0.0/16": LAB_AS})
    assert open_dbs(asn).lookup("10.9.0.1") == GeoFacts(None, None, 64500, LAB_AS.name, "10.9.0.0/16")


def test_earlier_databases_win_and_later_ones_fill_gaps(tmp_path: Path) -> None:
    first = geodb.geolite2_city(tmp_path / "a.mmdb", {"10.9.0.0/16": Place("DE", "Germany")})
    second = geodb.dbip_city_lite(tmp_path / "b.mmdb", {"10.9.0.0/16": PARIS})
    assert open_dbs(first, second).lookup("10.9.0.1") == GeoFacts("DE", "Paris")


def test_address_outside_every_database_is_unknown(tmp_path: Path) -> None:
    city = geodb.geolite2_city(tmp_path / "c.mmdb", {"10.9.0.0/16": FRANKFURT})
    dbs = open_dbs(city)
    assert dbs.lookup("192.0.2.1") == GeoFacts()
    assert dbs.lookup("2001:db8::1") == GeoFacts()
    assert dbs.lookup("not an address") == GeoFacts()


def test_ipv6_lookup_in_an_ipv4_only_database_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "v4.mmdb"
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-Country")
    writer.insert_network(IPSet(["10.0.0.0/8"]), {"country": {"iso_code": "NL"}})
    writer.to_db_file(str(path))
    dbs = open_dbs(path)
    assert dbs.lookup("10.1.1.1").country == "NL"
    assert dbs.lookup("2001:db8::1") == GeoFacts()


def test_corrupt_and_missing_files_become_notices(tmp_path: Path) -> None:
    good = geodb.geolite2_city(tmp_path / "good.mmdb", {"10.9.0.0/16": FRANKFURT})
    corrupt = tmp_path / "corrupt.mmdb"
    corrupt.write_bytes(good.read_bytes()[:40] + b"\x00" * 64)
    missing = tmp_path / "missing.mmdb"
    dbs = open_dbs(corrupt, missing, good)
    assert len(dbs.notices) == 2
    assert dbs.notices[0].startswith(f"GeoIP database {corrupt} is not a readable .mmdb file")
    assert dbs.notices[1] == f"GeoIP database {missing} not found"
    assert all("\n" not in notice for notice in dbs.notices)
    assert dbs.paths == [str(good)]
    assert dbs.lookup("10.9.0.1").city == "Frankfurt am Main"


def test_search_directories_are_used_when_no_path_is_given(tmp_path: Path) -> None:
    geodb.geolite2_city(tmp_path / "GeoLite2-City.mmdb", {"10.9.0.0/16": FRANKFURT})
    (tmp_path / "README.txt").write_text("not a database")
    dbs = GeoIpDatabases([], [str(tmp_path / "absent"), str(tmp_path)])
    assert dbs.notices == []
    assert dbs.lookup("10.9.0.1").country == "DE"


def test_nothing_found_says_so_once(tmp_path: Path) -> None:
    dbs = GeoIpDatabases([], [str(tmp_path)])
    assert len(dbs.notices) == 1
    assert dbs.notices[0].startswith(f"no GeoIP database found (looked in {tmp_path})")
    assert "--geoip-db" in dbs.notices[0]


def test_the_as_place_column_can_be_filled_only_by_as_lookups_or_a_geoip_file(tmp_path: Path) -> None:
    city = geodb.geolite2_city(tmp_path / "GeoLite2-City.mmdb", {"10.9.0.0/16": FRANKFURT})
    cases = [
        (EnrichOptions(no_lookups=True, geoip_search_dirs=()), False),
        (EnrichOptions(dns=False, asn=False, geoip_search_dirs=()), False),
        (EnrichOptions(no_lookups=True, geoip_paths=(str(city),), geoip_search_dirs=()), True),
    ]
    for options, fillable in cases:
        with Enricher(options) as enricher:
            assert enricher.fills_as_or_place is fillable, options
