"""The configuration file: its keys are the long options, flags override it, mistakes are one line.

In-process, without a network: literal addresses only, so nothing is resolved or sent.
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

import pytest

from tests.enrich.geodb import Place, geolite2_city
from tuitrace.arguments import build_parser
from tuitrace.cli import invocation_from_args, main, parse_with_settings
from tuitrace.config import Protocol, Setting
from tuitrace.errors import TuitraceError
from tuitrace.invocation import Invocation
from tuitrace.settings_file import NOT_SETTINGS, FileValue, default_path, file_values, template

HOST = "127.0.0.1"


def build(words: list[str], environ: dict[str, str] | None = None) -> Invocation:
    ns = parse_with_settings(words, environ or {})
    assert ns is not None
    return invocation_from_args(ns, ["tuitrace", *words], environ={}, warn=lambda _: None)


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_sets_protocol_timing_lookups_and_theme(tmp_path: Path) -> None:
    geo = geolite2_city(tmp_path / "city.mmdb", {"192.0.2.0/24": Place("DE", "Germany", "Berlin")})
    path = config(tmp_path, f"""
        protocol = "tcp"
        port = 443
        interval = 0.5
        sendwait = 20
        max-hops = 12
        dns-server = "192.0.2.53:5353"
        geoip-db = "{geo}"
        no-asn = true
        theme = "nord"
    """.replace("\n        ", "\n"))
    run = build(["--config", str(path), HOST])
    assert run.trace.setting == Setting(Protocol.TCP, 443)
    assert (run.trace.interval, run.trace.sendwait, run.trace.max_ttl) == (0.5, 0.02, 12)
    assert run.enrich.dns_server == "192.0.2.53:5353"
    assert run.enrich.geoip_paths == (str(geo),)
    assert not run.enrich.asn
    assert run.ui.theme == "nord"


def test_the_default_file_is_found_under_xdg_config_home(tmp_path: Path) -> None:
    (tmp_path / "tuitrace").mkdir()
    (tmp_path / "tuitrace" / "config.toml").write_text("interval = 2.5\n", encoding="utf-8")
    assert build([HOST], {"XDG_CONFIG_HOME": str(tmp_path)}).trace.interval == 2.5
    assert build([HOST], {"XDG_CONFIG_HOME": str(tmp_path / "elsewhere")}).trace.interval == 1.0


def test_the_default_path_is_the_sudo_users() -> None:
    assert default_path({"HOME": "/home/me"}, euid=1000) == Path("/home/me/.config/tuitrace/config.toml")
    assert default_path({"XDG_CONFIG_HOME": "/x"}, euid=1000) == Path("/x/tuitrace/config.toml")
    relative = default_path({"XDG_CONFIG_HOME": "rel", "HOME": "/h"}, euid=5)
    assert relative == Path("/h/.config/tuitrace/config.toml")
    as_root = default_path({"HOME": "/root", "SUDO_UID": "0"}, euid=0)
    assert as_root == Path("/root/.config/tuitrace/config.toml")
    nobody = default_path({"HOME": "/root", "SUDO_UID": "65534"}, euid=0)
    assert not str(nobody).startswith("/root/")


def test_flags_override_the_file(tmp_path: Path) -> None:
    path = config(tmp_path, 'protocol = "tcp"\nport = 443\ninterval = 0.5\nno-lookups = true\n')
    run = build(["--config", str(path), "-i", "2", HOST])
    assert (run.trace.interval, run.trace.setting) == (2.0, Setting(Protocol.TCP, 443))
    assert run.enrich.no_lookups
    assert build(["--config", str(path), "-p", "22", HOST]).trace.setting == Setting(Protocol.TCP, 22)
    assert build(["--config", str(path), "-U", HOST]).trace.setting == Setting(Protocol.UDP, 443)
    icmp = build(["--config", str(path), "-I", HOST])
    assert icmp.trace.setting == Setting(Protocol.ICMP, None)
    assert icmp.ui.user_port == 443, "the file's port waits for the u and t keys"
    sized = config(tmp_path, "packet-size = 100\n")
    assert build(["--config", str(sized), HOST, "60"]).trace.packet_len == 60


@pytest.mark.parametrize(("text", "message"), [
    ("intervall = 1\n", "unknown key 'intervall'"),
    ("[colors]\nhop = 'red'\n", "unknown key 'colors'"),
    ("help = true\n", "unknown key 'help'"),
])
def test_an_unknown_key_is_one_line_naming_key_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = config(tmp_path, text)
    assert main(["--config", str(path), HOST]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}: {message}" in err


@pytest.mark.parametrize(("text", "message"), [
    ("interval = 0\n", "interval must be ≥ 0.001 s, not 0"),
    ('interval = "soon"\n', "interval must be a number, not 'soon'"),
    ("max-hops = 300\n", "max-hops must be ≤ 255, not 300"),
    ('protocol = "sctp"\n', "protocol must be one of icmp, udp, tcp, not 'sctp'"),
    ('no-lookups = "yes"\n', "no-lookups must be true or false, not 'yes'"),
    ("interval = true\n", "interval must be a string or a number, not true/false"),
    ('dns-server = "not an address"\n', "dns-server: --dns-server:"),
    ("first-hop = 9\nmax-hops = 5\n", "config.toml: first hop 9 is beyond max hops 5"),
    ("first-hop = 40\n", "config.toml: first-hop: first hop 40 is beyond max hops 30"),
    ("interval = [\n", "not valid TOML"),
])
def test_a_bad_value_is_one_line_naming_key_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = config(tmp_path, text)
    assert main(["--config", str(path), HOST]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"tuitrace: {path}: ") and message in err, err


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """tomllib decodes the whole file before parsing: its UnicodeDecodeError was a traceback."""
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe = 1\n")
    assert main(["--config", str(path), HOST]) == 2
    err = capsys.readouterr().err
    assert err == f"tuitrace: {path}: not UTF-8 text (byte 0): not a TOML file\n"


def test_a_missing_named_file_is_an_error_and_a_missing_default_file_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(tmp_path / "nope.toml"), HOST]) == 2
    assert "nope.toml" in capsys.readouterr().err
    assert build([HOST], {"XDG_CONFIG_HOME": str(tmp_path)}).trace.interval == 1.0


def test_print_config_lists_every_key_and_loads_back_as_the_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--print-config"]) == 0
    text = capsys.readouterr().out
    table = tomllib.loads(text)
    keys = {flag[2:] for action in build_parser()._actions for flag in action.option_strings
            if flag.startswith("--") and flag[2:] not in NOT_SETTINGS}
    for key in keys:
        assert f"{key} = " in text, key
    assert {"interval", "protocol", "theme", "no-lookups"} <= set(table)
    path = config(tmp_path, text)
    loaded, plain = build(["--config", str(path), HOST]), build([HOST])
    assert loaded.trace == plain.trace
    assert loaded.enrich == plain.enrich
    assert loaded.ui.theme == "textual-dark" and plain.ui.theme == ""
    assert loaded.report == plain.report


def test_an_option_added_later_is_a_key_without_changing_the_file_module() -> None:
    parser = build_parser()
    parser.add_argument("--colour-scale", metavar="NAME")
    parser.add_argument("--max-rows", metavar="N")
    settings = file_values(parser, {"colour-scale": "viridis", "max-rows": 2}, "f.toml")
    assert settings.values == {"colour_scale": "viridis", "max_rows": "2"}
    value = settings.values["max_rows"]
    assert isinstance(value, FileValue) and value.where == "f.toml: max-rows"
    parser.set_defaults(**settings.values)
    ns = parser.parse_args([HOST, "--max-rows", "3"])
    assert isinstance(ns, argparse.Namespace) and (ns.colour_scale, ns.max_rows) == ("viridis", "3")
    assert "colour-scale" in template(parser) and "max-rows" in template(parser)
    with pytest.raises(TuitraceError, match=r"f\.toml: unknown key 'max-row'"):
        file_values(parser, {"max-row": "L"}, "f.toml")


def test_fields_and_privacy_can_be_set_in_the_file() -> None:
    """The screen's options that came after the file module: keys at once, with no change to it."""
    parser = build_parser()
    settings = file_values(parser, {"fields": "LSRNBAWV", "privacy": 2, "hide-target": True}, "f.toml")
    parser.set_defaults(**settings.values)
    ns = parser.parse_args([HOST])
    assert (ns.fields, ns.privacy_hops, ns.hide_target) == ("LSRNBAWV", "2", True)
    assert all(key in template(parser) for key in ("fields", "privacy", "hide-target"))
