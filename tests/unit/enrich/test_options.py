"""The enrichment flags: what each one turns on or off, and one-line errors for bad values."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.enrich.geodb import Place, geolite2_city
from tuitrace.arguments import build_parser
from tuitrace.cli import enrich_options
from tuitrace.enrich.options import DEFAULT_GEOIP_DIRS, EnrichOptions, geoip_help, parse_dns_server
from tuitrace.errors import TuitraceError


def parse(*argv: str, numeric: bool = False, env: dict[str, str] | None = None) -> EnrichOptions:
    words = [*argv, "-n"] if numeric else list(argv)
    ns = build_parser().parse_words([*words, "192.0.2.1"])
    return enrich_options(ns, simulated=False, environ=env or {}, warn=print)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("192.0.2.53", ("192.0.2.53", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("::1", ("::1", 53)),
        ("[::1]:5353", ("::1", 5353)),
        ("[2001:db8::53]", ("2001:db8::53", 53)),
    ],
)
def test_dns_server_forms(text: str, expected: tuple[str, int]) -> None:
    assert parse_dns_server(text) == expected
    assert parse("--dns-server", text).nameserver == expected


@pytest.mark.parametrize(
    "text", ["dns.example", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:x", "[::1", "[::1]x"],
)
def test_bad_dns_server_is_a_one_line_usage_error(text: str) -> None:
    with pytest.raises(TuitraceError, match=r"^--dns-server: bad DNS server"):
        parse("--dns-server", text)
    with pytest.raises(ValueError, match="bad DNS server"):
        EnrichOptions(dns_server=text)


def test_defaults_look_everything_up_with_the_system_resolver() -> None:
    options = parse()
    assert (options.rdns_enabled, options.asn_enabled, options.rdap_enabled) == (True, True, True)
    assert options.nameserver is None and not options.lookup_private
    assert options.geoip_paths == () and options.geoip_search_dirs == DEFAULT_GEOIP_DIRS


def test_numeric_turns_off_reverse_dns_only() -> None:
    options = parse(numeric=True)
    assert not options.rdns_enabled and options.asn_enabled


def test_no_asn_and_lookup_private() -> None:
    options = parse("--no-asn", "--lookup-private")
    assert not options.asn_enabled and options.rdns_enabled and options.lookup_private


def test_no_lookups_turns_off_every_query() -> None:
    options = parse("--no-lookups")
    assert (options.rdns_enabled, options.asn_enabled, options.rdap_enabled) == (False, False, False)


def test_geoip_paths_from_flags_then_environment(tmp_path: Path) -> None:
    city, asn, env_a, env_b = (
        str(geolite2_city(tmp_path / f"{name}.mmdb", {"192.0.2.0/24": Place("DE", "Germany")}))
        for name in ("city", "asn", "a", "b")
    )
    env = {"TUITRACE_GEOIP_DB": os.pathsep.join([env_a, "", env_b])}
    options = parse("--geoip-db", city, "--geoip-db", asn, env=env)
    assert options.geoip_paths == (city, asn, env_a, env_b)


@pytest.mark.parametrize("changes", [{"timeout": 0.0}, {"concurrency": 0}])
def test_bad_tuning_values_are_refused(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        EnrichOptions(**changes)  # type: ignore[arg-type]


def test_help_says_when_no_geoip_database_is_found_and_how_to_get_one(tmp_path: Path) -> None:
    text = geoip_help({}, [str(tmp_path)])
    assert f"No GeoIP database found (looked in {tmp_path})" in text
    assert "--geoip-db" in text and "GeoLite2" in text and "DB-IP" in text and "TUITRACE_GEOIP_DB" in text


def test_help_names_the_databases_it_found(tmp_path: Path) -> None:
    (tmp_path / "GeoLite2-City.mmdb").write_bytes(b"")
    assert f"GeoIP databases found: {tmp_path / 'GeoLite2-City.mmdb'}" in geoip_help({}, [str(tmp_path)])
    env = {"TUITRACE_GEOIP_DB": "/env/a.mmdb"}
    assert "GeoIP databases from $TUITRACE_GEOIP_DB: /env/a.mmdb" in geoip_help(env, [str(tmp_path)])


def test_help_lists_the_enrichment_flags() -> None:
    text = build_parser().format_help()
    for flag in ("--dns-server", "--geoip-db", "--no-asn", "--lookup-private", "--no-lookups"):
        assert flag in text
