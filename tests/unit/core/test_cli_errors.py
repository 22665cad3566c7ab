"""Every user mistake ends in one line on stderr that names the problem, exit status 2, no traceback.

The command runs in a network namespace of its own with no interfaces up, so that resolving a bad name
cannot send a DNS query anywhere.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest


@functools.cache
def isolation() -> list[str]:
    """``unshare -n`` (root) or ``unshare -rn`` (user namespaces): an empty network for the child."""
    prefix = ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-rn"]
    try:
        subprocess.run([*prefix, "true"], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        pytest.skip("cannot create an empty network namespace (needs root or user namespaces)")
    return prefix


def tuitrace(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*isolation(), sys.executable, "-m", "tuitrace", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["-T", "-p", "0", "127.0.0.1"], "-p must be ≥ 1, not 0"),
        (["-T", "-p", "70000", "127.0.0.1"], "-p must be ≤ 65535, not 70000"),
        (["-T", "-p", "abc", "127.0.0.1"], "-p must be a whole number, not 'abc'"),
        (["-m", "300", "127.0.0.1"], "-m must be ≤ 255, not 300"),
        (["-f", "9", "-m", "5", "127.0.0.1"], "first hop 9 is beyond max hops 5"),
        (["--sendwait=-1", "127.0.0.1"], "-z must be ≥ 0, not -1"),
        (["-i", "0", "127.0.0.1"], "-i must be ≥ 0.001 s, not 0"),
        (["-p", "80", "127.0.0.1"], "-p needs a port-based protocol"),
        (["--no-such-option", "127.0.0.1"], "unrecognized arguments"),
        (["host.invalid"], "cannot resolve 'host.invalid'"),
        (["-6", "127.0.0.1"], "cannot resolve '127.0.0.1' as IPv6"),
        (["-s", "::1", "127.0.0.1"], "source '::1' is not an IPv4 address"),
        (["--dns-server", "not an address", "127.0.0.1"], "--dns-server: bad DNS server"),
        # issue 9.1: every number finite and bounded
        (["-z", "nan", "127.0.0.1"], "-z must be a finite number, not nan"),
        (["-z", "inf", "127.0.0.1"], "-z must be a finite number, not inf"),
        (["-z", "1e9", "127.0.0.1"], "-z must be ≤ 10000, not 1e9"),
        (["-i", "nan", "127.0.0.1"], "-i must be a finite number, not nan"),
        (["-i", "1e9", "127.0.0.1"], "-i must be ≤ 3600 s, not 1e9"),
        (["-w", "nan", "127.0.0.1"], "-w must be a finite number, not nan"),
        (["-w", "61", "127.0.0.1"], "-w must be ≤ 60 s, not 61"),
        (["-c", "1e12", "127.0.0.1"], "-c must be a whole number, not '1e12'"),
        (["-c", "2000000000", "127.0.0.1"], "-c must be ≤ 1000000000, not 2000000000"),
        (["-t", "256", "127.0.0.1"], "-t must be ≤ 255, not 256"),
        (["--packet-size", "70000", "127.0.0.1"], "--packet-size must be ≤ 65000 bytes, not 70000"),
        (["127.0.0.1", "nan"], "--packet-size must be a whole number, not 'nan'"),
        (["127.0.0.1", "60", "--packet-size", "60"], "give the packet length once"),
        # issue 9.12: a negative value is seen as the option's value, not as an unknown option
        (["-z", "-1", "127.0.0.1"], "-z must be ≥ 0, not -1"),
        (["-c", "-5", "127.0.0.1"], "-c must be ≥ 1, not -5"),
        (["-t", "-1", "127.0.0.1"], "-t must be ≥ 0, not -1"),
        (["-w", "-inf", "127.0.0.1"], "-w must be a finite number, not -inf"),
        (["--interval", "-0.5", "127.0.0.1"], "-i must be ≥ 0.001 s, not -0.5"),
        # issue 9.11: addresses that no trace can reach
        (["0.0.0.0"], "0.0.0.0 is the unspecified address"),
        (["::"], ":: is the unspecified address"),
        (["0.1.2.3"], "0.1.2.3 is in 0.0.0.0/8"),
        (["224.0.0.1"], "224.0.0.1 is a multicast address"),
        (["ff02::1"], "ff02::1 is a multicast address"),
        (["::192.0.2.1"], "::192.0.2.1 is a deprecated IPv4-compatible IPv6 address: trace 192.0.2.1"),
        (["-6", "::ffff:127.0.0.1"], "::ffff:127.0.0.1 is the IPv4 address 127.0.0.1 written as IPv6"),
        # issue 9.10: say what is wrong, not "no route"
        (["255.255.255.255"], "255.255.255.255 is a broadcast address"),
        (["--interface", "nosuch0", "127.0.0.1"], "no interface nosuch0"),
        # an empty word is no value: it used to read as "option not given" (-s "" traced from anywhere,
        # --simulate "" traced the real network)
        (["-s", "", "127.0.0.1"], "-s/--source needs a value, not an empty word"),
        (["--interface", " ", "127.0.0.1"], "--interface needs a value, not an empty word"),
        (["--simulate", "", "x"], "--simulate needs a value, not an empty word"),
        (["--record", "", "--report", "127.0.0.1"], "--record needs a value, not an empty word"),
        (["--replay", ""], "--replay needs a value, not an empty word"),
        (["--targets-file", "", "--report"], "--targets-file needs a value, not an empty word"),
        # --remote-command is split as a shell would: an unclosed quote was a traceback
        (["--from", "h", "--remote-command", "'sudo tuitrace", "127.0.0.1"],
         "--remote-command \"'sudo tuitrace\": no closing quotation"),
        (["--from", "[::1", "--no-local", "127.0.0.1"],
         "--from '[::1': expected [address] or [address]:port"),
        # issue 9.2: a scenario that is not one
        (["--simulate", "/", "x"], "scenario / is a directory"),
        (["--simulate", "/nonexistent/s.toml", "x"], "scenario /nonexistent/s.toml does not exist"),
    ],
)
def test_bad_input_is_one_line(argv: list[str], needle: str) -> None:
    done = tuitrace(*argv)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("tuitrace: ")
    assert needle in lines[0]
    assert "Traceback" not in done.stderr


def test_help_documents_every_option() -> None:
    text = tuitrace("--help").stdout
    for option in (
        "-I",
        "-U",
        "-T",
        "-p PORT",
        "-z SENDWAIT",
        "-w WAIT",
        "-m MAX_HOPS",
        "-f FIRST_TTL",
        "-n",
        "-s SRC",
        "--interface IFACE",
        "-t TOS",
        "-4",
        "-6",
        "-c COUNT",
        "-i INTERVAL",
        "--report",
        "--json",
        "--csv",
        "GeoIP",
    ):
        assert option in text, option


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("tuitrace: ")
    return lines[0]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\xff\xfe[path]\nfamily = 4\n", "is not UTF-8 text"),
        (b"[path\nfamily = 4\n", "is not valid TOML"),
        (b"hop = [1, 2]\n[path]\nsource = '192.0.2.1'\ntarget = '192.0.2.9'\n", "must be an array of tables"),
        (b"[path]\nsource = '192.0.2.1'\ntarget = '192.0.2.9'\nseed = 'x'\n", "seed must be a whole number"),
        (b"[path]\nsource = '192.0.2.1'\ntarget = '192.0.2.9'\n[target]\ntcp = 'opne'\n",
         "[target].tcp must be one of closed, open, silent, not 'opne'"),
        (b"[path]\nsource = '192.0.2.1'\ntarget = '192.0.2.9'\n[hops]\nrtt_ms = 1\n", "unknown table 'hops'"),
    ],
)
def test_a_scenario_that_is_not_one_is_one_line(tmp_path: Path, content: bytes, needle: str) -> None:
    scenario = tmp_path / "bad.toml"
    scenario.write_bytes(content)
    assert needle in one_line_error(tuitrace("--simulate", str(scenario), "x"))


def test_geoip_db_named_but_unusable_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mmdb"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.mmdb"
    corrupt.write_bytes(b"\x00not a maxmind database\xab\xcd\xef" * 64)
    for path, needle in [
        (tmp_path / "missing.mmdb", "does not exist"),
        (empty, "is empty"),
        (corrupt, "is not a MaxMind-format .mmdb database"),
        (tmp_path, "is a directory"),
    ]:
        done = tuitrace("-n", "--no-lookups", "--report", "--geoip-db", str(path), "127.0.0.1")
        line = one_line_error(done)
        assert f"--geoip-db {path} {needle}" in line


def test_output_dir_that_is_a_file_is_refused_at_start(tmp_path: Path) -> None:
    blocker = tmp_path / "shots"
    blocker.write_text("a file")
    line = one_line_error(tuitrace("--output-dir", str(blocker), "127.0.0.1"))
    assert line == f"tuitrace: --output-dir {blocker} is a file, not a directory"
    line = one_line_error(tuitrace("--output-dir", str(blocker / "deeper"), "127.0.0.1"))
    assert f"{blocker} is a file, not a directory" in line and "Errno" not in line


def in_namespace(script: str) -> subprocess.CompletedProcess[str]:
    """``script`` (sh) in an empty network namespace where ``$TUITRACE`` runs tuitrace; the namespace gets
    loopback and a veth pair with 10.9.9.1/24, nothing that leads out of it."""
    setup = (
        "ip link set lo up && ip link add v0 type veth peer name v1 && "
        "ip addr add 10.9.9.1/24 dev v0 && ip link set v0 up && ip link set v1 up || exit 99\n"
    )
    done = subprocess.run(
        [*isolation(), "sh", "-c", setup + script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "TUITRACE": f"{sys.executable} -m tuitrace"},
    )
    if done.returncode == 99:
        pytest.skip(f"cannot build the namespace: {done.stderr.strip()}")
    return done


def test_a_source_this_machine_does_not_have_is_named() -> None:
    line = one_line_error(in_namespace("$TUITRACE -n --no-lookups --report -c 1 -s 192.0.2.1 10.9.9.1"))
    assert line == "tuitrace: 192.0.2.1 is not an address of this machine"


def test_a_subnet_broadcast_is_named() -> None:
    line = one_line_error(in_namespace("$TUITRACE -n --no-lookups --report -c 1 -w 0.1 10.9.9.255"))
    assert line == "tuitrace: 10.9.9.255 is a broadcast address"


def test_a_corrupt_geoip_file_in_the_environment_is_one_warning_and_the_run_goes_on(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.mmdb"
    corrupt.write_bytes(b"\x00not a maxmind database" * 64)
    scenario = Path(__file__).parents[2] / "scenarios" / "linear_v4.toml"
    done = subprocess.run(
        [sys.executable, "-m", "tuitrace", "--simulate", str(scenario), "-n", "--no-lookups", "--report",
         "-c", "2", "-i", "0.05", "x"],
        env={**os.environ, "TUITRACE_GEOIP_DB": str(corrupt)},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "198.51.100.9" in done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("tuitrace: skipping GeoIP database") and str(corrupt) in lines[0]
