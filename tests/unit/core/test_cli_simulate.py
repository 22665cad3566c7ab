"""The whole command (parsing, engine, reports) on a simulated path, without privileges or a network."""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def tuitrace(*argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tuitrace", "--no-lookups", "-i", "0.05", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_json_report_of_an_ecmp_path_lists_both_routers() -> None:
    out = tuitrace(
        "--simulate", str(SCENARIOS / "ecmp_udp_classic_v4.toml"), "-P", "udp", "--json", "-c", "6", "x"
    )
    report = json.loads(out)
    assert report["mode"] == "simulated" and report["protocol"] == "udp" and report["port"] is None
    assert report["rounds"] == 6 and report["reached"] is True
    hop2 = report["hops"][1]
    assert {r["address"] for r in hop2["responders"]} == {"203.0.113.21", "203.0.113.22"}
    assert sum(r["received"] for r in hop2["responders"]) == hop2["received"] == 6


def test_csv_and_text_reports_agree_with_json() -> None:
    scenario = str(SCENARIOS / "reject_tcp_port_v4.toml")
    table, _, findings = tuitrace("--simulate", scenario, "-T", "-p", "389", "--csv", "x").partition("\n\n")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [r["ttl"] for r in rows] == ["1", "2", "3"]
    assert rows[-1]["responder_annotations"] == "!X"
    blocked = "TCP/389 is administratively prohibited by 203.0.113.1 at hop 3."
    assert [r["finding_text"] for r in csv.DictReader(io.StringIO(findings))] == [blocked]
    text = tuitrace("--simulate", scenario, "-T", "-p", "389", "--report", "x")
    assert "203.0.113.1 !X" in text and "destination not reached" in text
    assert f"\n\nFindings\n  problem  {blocked}\n\nEvents\n" in text  # findings, then what happened


COUNT_QUERIES = """
import socket, sys
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 53))
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[1], "a") as log:
    while True:
        data, peer = sock.recvfrom(4096)
        log.write(data.hex() + "\\n")
        log.flush()
"""


def dns_queries_of(tmp_path: Path, *argv: str) -> list[str]:
    """Run tuitrace in a network and mount namespace of its own whose /etc/resolv.conf names a loopback
    server that only writes down what it is asked: the queries the run sent to the system resolver."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare for a network and mount namespace")
    (tmp_path / "resolv.conf").write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    log = tmp_path / "queries"
    script = (
        "ip link set lo up && mount --bind \"$DIR/resolv.conf\" /etc/resolv.conf || exit 99\n"
        f"{shlex.quote(sys.executable)} -c \"$SERVER\" \"$DIR/queries\" & server=$!\n"
        "while [ ! -e \"$DIR/queries.ready\" ]; do sleep 0.05; done\n"
        f"{shlex.quote(sys.executable)} -m tuitrace {shlex.join(argv)} >/dev/null; status=$?\n"
        "kill $server; exit $status\n"
    )
    done = subprocess.run(
        ["unshare", "-n", "-m", "sh", "-c", script],
        env={**os.environ, "DIR": str(tmp_path), "SERVER": COUNT_QUERIES},
        capture_output=True, text=True, timeout=120, check=False,
    )
    if done.returncode == 99:
        pytest.skip(f"cannot set up the namespace: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    return log.read_text().split() if log.exists() else []


def test_a_simulation_sends_no_dns_query_unless_a_resolver_is_named(tmp_path: Path) -> None:
    scenario = str(SCENARIOS / "linear_v4.toml")
    common = ("--simulate", scenario, "--report", "-c", "2", "-i", "0.05", "x")
    assert dns_queries_of(tmp_path, *common) == []
    # the same run with a resolver named: queries do arrive, so the empty list above is not an accident
    assert dns_queries_of(tmp_path, "--dns-server", "127.0.0.1", *common)
