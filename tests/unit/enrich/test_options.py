"""The enrichment flags: what each one turns on or off, and one-line errors for bad values."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from tuitrace.enrich.options import (
    DEFAULT_GEOIP_DIRS,
    EnrichOptions,
    add_arguments,
    geoip_help,
    options_from_args,
    parse_dns_server,
)


def parse(*argv: str, numeric: bool = False, env: dict[str, str] | None = None) -> EnrichOptions:
    parser = argparse.ArgumentParser(prog="tuitrace")
    add_arguments(parser)
    return options_from_args(parser.parse_args(list(argv)), numeric=numeric, environ=env or {})


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
def test_bad_dns_server_is_a_one_line_usage_error(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse("--dns-server", text)
    assert exit_info.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("tuitrace: error: argument --dns-server: bad DNS server")
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


def test_geoip_paths_from_flags_then_environment() -> None:
    env = {"TUITRACE_GEOIP_DB": os.pathsep.join(["/env/a.mmdb", "", "/env/b.mmdb"])}
    options = parse("--geoip-db", "/x/city.mmdb", "--geoip-db", "/x/asn.mmdb", env=env)
    assert options.geoip_paths == ("/x/city.mmdb", "/x/asn.mmdb", "/env/a.mmdb", "/env/b.mmdb")


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


def test_help_epilog_fits_argparse() -> None:
    parser = argparse.ArgumentParser(prog="tuitrace", epilog=geoip_help({}, ["/nonexistent-geoip-dir"]))
    add_arguments(parser)
    text = parser.format_help()
    for flag in ("--dns-server", "--geoip-db", "--no-asn", "--lookup-private", "--no-lookups"):
        assert flag in text
    assert "No GeoIP database found" in text
