"""The command line builds typed options, one per concern; nothing past the CLI sees argparse.

In-process, without a network: literal addresses and simulated paths only, so nothing is resolved or sent.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.enrich.geodb import Place, geolite2_city
from tuitrace import defaults
from tuitrace.arguments import build_parser
from tuitrace.cli import invocation_from_args
from tuitrace.config import Mode, Protocol, Setting, TraceConfig, port_for
from tuitrace.errors import TuitraceError, plain_os_error
from tuitrace.invocation import Invocation, ReportFormat
from tuitrace.probe.mda import CONFIDENCES
from tuitrace.targets import resolve
from tuitrace.userfiles import check_output_dir

SCENARIO = str(Path(__file__).parents[2] / "scenarios" / "linear_v4.toml")


def build(*argv: str, env: dict[str, str] | None = None, warnings: list[str] | None = None) -> Invocation:
    ns = build_parser().parse_words(list(argv))
    sink = [] if warnings is None else warnings
    return invocation_from_args(ns, ["tuitrace", *argv], environ=env or {}, warn=sink.append)


def test_options_become_typed_values() -> None:
    run = build("-T", "-p", "443", "-z", "500", "-i", "0.5", "-w", "3", "-c", "7", "-m", "20", "-f", "2",
                "-t", "16", "--json", "-n", "--raw", "127.0.0.1")
    trace = run.trace
    assert (trace.target, trace.family, trace.setting) == ("127.0.0.1", 4, Setting(Protocol.TCP, 443))
    assert (trace.sendwait, trace.interval, trace.wait, trace.count) == (0.5, 0.5, 3.0, 7)
    assert (trace.first_ttl, trace.max_ttl, trace.tos) == (2, 20, 16)
    assert run.report is not None and run.report.format is ReportFormat.JSON and run.report.numeric
    assert run.network.mode is Mode.RAW and run.network.scenario is None
    assert not run.enrich.rdns_enabled and run.enrich.asn_enabled
    assert run.ui.user_port == 443 and run.ui.command_line.startswith("tuitrace -T -p 443")


def test_defaults_come_from_the_defaults_module() -> None:
    run = build("127.0.0.1")
    trace = run.trace
    assert trace.setting == Setting(Protocol.ICMP, None)
    assert (trace.first_ttl, trace.max_ttl) == (defaults.FIRST_TTL, defaults.MAX_TTL)
    assert (trace.interval, trace.wait, trace.sendwait) == (
        defaults.INTERVAL_S, defaults.WAIT_S, defaults.SENDWAIT_S)
    assert trace.count is None and run.report is None
    assert build("--report", "127.0.0.1").trace.count == defaults.REPORT_DEFAULT_ROUNDS


@pytest.mark.parametrize(
    ("argv", "setting"),
    [
        (["-U"], Setting(Protocol.UDP, defaults.UDP_FIXED_DEFAULT_PORT)),
        (["-U", "-p", "123"], Setting(Protocol.UDP, 123)),
        (["-P", "udp"], Setting(Protocol.UDP, None)),
        (["-T"], Setting(Protocol.TCP, defaults.TCP_DEFAULT_PORT)),
        (["-P", "tcp", "-p", "22"], Setting(Protocol.TCP, 22)),
    ],
)
def test_the_command_line_follows_the_one_port_policy(argv: list[str], setting: Setting) -> None:
    assert build(*argv, "127.0.0.1").trace.setting == setting


def test_port_policy() -> None:
    assert port_for(Protocol.ICMP, 443) is None
    assert port_for(Protocol.TCP, None) == defaults.TCP_DEFAULT_PORT
    assert port_for(Protocol.TCP, 443) == 443
    assert port_for(Protocol.UDP, None) is None
    assert port_for(Protocol.UDP, None, fixed_udp=True) == defaults.UDP_FIXED_DEFAULT_PORT
    assert port_for(Protocol.UDP, 33) == 33


def test_a_simulation_sends_no_lookups_unless_a_resolver_is_named() -> None:
    quiet = build("--simulate", SCENARIO, "x").enrich
    assert not (quiet.rdns_enabled or quiet.asn_enabled or quiet.rdap_enabled)
    asked = build("--simulate", SCENARIO, "--dns-server", "127.0.0.1:5353", "x").enrich
    assert asked.rdns_enabled and asked.nameserver == ("127.0.0.1", 5353)
    live = build("127.0.0.1").enrich  # a real trace keeps the usual lookups
    assert live.rdns_enabled and live.asn_enabled


def test_a_simulation_traces_the_scenarios_target() -> None:
    run = build("--simulate", SCENARIO, "label")
    assert run.network.scenario is not None
    assert (run.trace.target, run.trace.host) == (run.network.scenario.target, "label")


def test_a_corrupt_geoip_file_from_the_environment_is_skipped_with_one_warning(tmp_path: Path) -> None:
    good = geolite2_city(tmp_path / "city.mmdb", {"192.0.2.0/24": Place("DE", "Germany", "Berlin")})
    bad = tmp_path / "bad.mmdb"
    bad.write_bytes(b"garbage" * 100)
    warnings: list[str] = []
    run = build("127.0.0.1", env={"TUITRACE_GEOIP_DB": os.pathsep.join([str(bad), str(good)])},
                warnings=warnings)
    assert run.enrich.geoip_paths == (str(good),)
    assert len(warnings) == 1
    assert str(bad) in warnings[0] and "TUITRACE_GEOIP_DB" in warnings[0]


def test_a_named_geoip_file_that_works_is_used(tmp_path: Path) -> None:
    good = geolite2_city(tmp_path / "city.mmdb", {"192.0.2.0/24": Place("DE", "Germany", "Berlin")})
    assert build("--geoip-db", str(good), "127.0.0.1").enrich.geoip_paths == (str(good),)


def test_a_v4_mapped_address_is_traced_as_ipv4() -> None:
    assert resolve("::ffff:127.0.0.1", None) == ("127.0.0.1", 4)
    assert build("::ffff:127.0.0.1").trace.family == 4


def test_negative_values_stay_with_their_option_and_flags_stay_flags() -> None:
    parser = build_parser()
    assert parser.attach_negative_values(["-z", "-1", "-4", "h"]) == ["-z=-1", "-4", "h"]
    assert parser.attach_negative_values(["-s", "-z", "h"]) == ["-s", "-z", "h"]
    assert parser.attach_negative_values(["--", "-z", "-1"]) == ["--", "-z", "-1"]
    with pytest.raises(TuitraceError, match="-z must be ≥ 0, not -1"):
        build("-z", "-1", "127.0.0.1")


def test_packet_length_from_the_second_argument_or_the_option() -> None:
    assert build("127.0.0.1", "100").trace.packet_len == 100
    assert build("--packet-size", "100", "127.0.0.1").trace.packet_len == 100
    assert build("127.0.0.1").trace.packet_len == defaults.PACKET_LEN_BYTES


def test_output_dir_must_be_writable_by_the_user_after_the_privilege_drop(tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    private.chmod(0o700)
    owner = (private.stat().st_uid, private.stat().st_gid)
    check_output_dir(private / "shots", as_user=owner)
    with pytest.raises(TuitraceError, match=r"cannot be created: .*private is not writable by you"):
        check_output_dir(private / "shots", as_user=(owner[0] + 12345, owner[1] + 12345))
    private.chmod(0o777)
    check_output_dir(private / "shots", as_user=(owner[0] + 12345, owner[1] + 12345))


def test_file_errors_are_worded_plainly(tmp_path: Path) -> None:
    blocker = tmp_path / "shots"
    blocker.write_text("x")
    with pytest.raises(OSError) as info:
        blocker.mkdir()
    text = plain_os_error(info.value, "cannot create directory")
    assert text == f"cannot create directory {blocker}: a file of that name is in the way"
    assert "Errno" not in text


def test_below_the_cli_nothing_imports_argparse() -> None:
    code = (
        "import sys\n"
        "import tuitrace.run, tuitrace.enrich.options, tuitrace.invocation\n"
        "print('argparse' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def readme_option_block() -> str:
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    return readme.split("## Using it", 1)[1].split("```", 2)[1]


def readme_lines_naming(option: str) -> list[str]:
    """The option table's lines that name ``option`` (``-p`` is not ``-P`` or ``--print-config``), each
    with the indented lines that continue it."""
    entries: list[str] = []
    for line in readme_option_block().splitlines():
        if entries and line.startswith(" " * 20):
            entries[-1] += " " + line.strip()
        else:
            entries.append(line)
    named = re.compile(rf"(?<![\w-]){re.escape(option)}(?![\w-])")
    return [entry for entry in entries if named.search(entry)]


def test_the_readme_names_every_option() -> None:
    for action in build_parser()._actions:  # argparse has no public list of its options
        if action.option_strings and not {"-h", "--version"} & set(action.option_strings):
            assert any(readme_lines_naming(flag) for flag in action.option_strings), action.option_strings


@pytest.mark.parametrize("bound", defaults.ALL_BOUNDS, ids=lambda bound: bound.flag)
def test_the_readme_states_every_bound_beside_its_option(bound: defaults.Bound) -> None:
    lines = readme_lines_naming(bound.flag)
    assert lines, f"{bound.flag} is not in the README's option table"
    assert any(bound.range_text.removesuffix(bound.unit) in line for line in lines), (bound.flag, lines)


def test_the_readme_states_the_limits_that_are_not_numbers() -> None:
    confidences = "|".join(map(str, defaults.MDA_CONFIDENCES))
    assert any(confidences in line for line in readme_lines_naming("--confidence"))
    assert any(f"2..{defaults.MAX_COMPARED}" in line for line in readme_lines_naming("--compare"))
    assert any(f"at most {defaults.MAX_TARGETS}" in line for line in readme_lines_naming("--targets-file"))
    assert any("icmp,udp,tcp" in line for line in readme_lines_naming("-P"))


def test_the_mda_confidences_are_the_ones_mda_computes_for() -> None:
    assert defaults.MDA_CONFIDENCES == CONFIDENCES


@pytest.mark.parametrize("changes", [{"interval": float("nan")}, {"wait": float("inf")}, {"wait": 0.0},
                                     {"sendwait": float("nan")}, {"sendwait": -1.0}])
def test_a_config_refuses_timings_the_tracer_cannot_compute_with(changes: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        TraceConfig(target="127.0.0.1", family=4, **changes)  # type: ignore[arg-type]
