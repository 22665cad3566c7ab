"""Every user mistake ends in one line on stderr that names the problem, exit status 2, no traceback.

The command runs in a network namespace of its own with no interfaces up, so that resolving a bad name
cannot send a DNS query anywhere.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys

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
        (["-T", "-p", "0", "127.0.0.1"], "port must be 1..65535, not 0"),
        (["-T", "-p", "70000", "127.0.0.1"], "port must be 1..65535, not 70000"),
        (["-T", "-p", "abc", "127.0.0.1"], "port must be a number, not 'abc'"),
        (["-m", "300", "127.0.0.1"], "max hops must be 1..255"),
        (["-f", "9", "-m", "5", "127.0.0.1"], "first hop 9 is beyond max hops 5"),
        (["--sendwait=-1", "127.0.0.1"], "sendwait must be >= 0"),
        (["-i", "0", "127.0.0.1"], "interval must be"),
        (["-p", "80", "127.0.0.1"], "-p needs a port-based protocol"),
        (["--no-such-option", "127.0.0.1"], "unrecognized arguments"),
        (["host.invalid"], "cannot resolve 'host.invalid'"),
        (["-6", "127.0.0.1"], "cannot resolve '127.0.0.1' as IPv6"),
        (["-s", "::1", "127.0.0.1"], "source '::1' is not an IPv4 address"),
        (["--dns-server", "not an address", "127.0.0.1"], "dns-server"),
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
