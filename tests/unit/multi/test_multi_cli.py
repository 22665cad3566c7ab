"""The command line with several targets: planning per host, failures that do not stop the others, and the
exit status (0 when at least one target was traced, 2 when none could be).

Only literal addresses are used (no name is resolved); the runs that send probes go to loopback only.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tuitrace.arguments import build_parser
from tuitrace.errors import TuitraceError
from tuitrace.multitarget import plan_targets


def plan(*words: str) -> tuple[list[tuple[str, str | None, str | None]] | None, list[str]]:
    warnings: list[str] = []
    ns = build_parser().parse_words(list(words))
    plans = plan_targets(ns, ["tuitrace", *words], warnings.append, environ={})
    if plans is None:
        return None, warnings
    shown = [(p.host, None if p.invocation is None else p.invocation.trace.target, p.error) for p in plans]
    return shown, warnings


def test_each_host_is_planned_with_the_same_options_and_a_bad_one_keeps_its_error() -> None:
    shown, _ = plan("-n", "--no-lookups", "-T", "-p", "443", "127.0.0.1", "::1", "224.0.0.1")
    assert shown == [("127.0.0.1", "127.0.0.1", None), ("::1", "::1", None),
                     ("224.0.0.1", None, "224.0.0.1 is a multicast address (a group, not one host)")]
    ns = build_parser().parse_words(["-T", "-p", "443", "-c", "3", "127.0.0.1", "127.0.0.2"])
    plans = plan_targets(ns, ["tuitrace"], lambda _t: None, environ={})
    assert plans is not None
    traces = [p.invocation.trace for p in plans if p.invocation is not None]
    assert {(t.setting.label, t.count) for t in traces} == {("TCP/443", 3)}


def test_options_after_the_hosts_and_between_them_apply_to_all() -> None:
    shown, _ = plan("127.0.0.1", "-n", "127.0.0.2", "--no-lookups")
    assert shown is not None and [target for _h, target, _e in shown] == ["127.0.0.1", "127.0.0.2"]


def test_one_host_is_the_single_target_run_and_a_packet_length_stays_one() -> None:
    assert plan("127.0.0.1")[0] is None
    assert plan("127.0.0.1", "60")[0] is None


def test_one_host_from_a_file_is_the_single_target_run(tmp_path: Path) -> None:
    listing = tmp_path / "hosts"
    listing.write_text("# one\n127.0.0.1\n")
    ns = build_parser().parse_words(["--targets-file", str(listing)])
    assert plan_targets(ns, ["tuitrace"], lambda _t: None, environ={}) is None
    assert ns.host == "127.0.0.1"


def test_an_address_given_twice_is_traced_once() -> None:
    shown, warnings = plan("127.0.0.1", "::1", "127.0.0.1")
    assert shown is not None and [host for host, _t, _e in shown] == ["127.0.0.1", "::1"]
    assert warnings == ["127.0.0.1 is given twice: traced once"]


@pytest.mark.parametrize(("words", "message"), [
    (["--simulate", "x.toml", "127.0.0.1", "127.0.0.2"], "--simulate traces its scenario's one path"),
    (["--stream", "127.0.0.1", "127.0.0.2"], "--stream follows one target"),
])
def test_what_several_targets_cannot_do_is_one_line(words: list[str], message: str) -> None:
    with pytest.raises(TuitraceError, match=message):
        plan(*words)


def tuitrace(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tuitrace", *argv], capture_output=True, text=True,
                          timeout=60, check=False)


def test_none_traced_says_why_once_per_reason_and_exits_2() -> None:
    done = tuitrace("--report", "-n", "--no-lookups", "-z", "-1", "127.0.0.1", "127.0.0.2")
    assert (done.returncode, done.stdout, done.stderr) == (2, "", "tuitrace: -z must be ≥ 0, not -1\n")
    done = tuitrace("--report", "-n", "--no-lookups", "224.0.0.1", "0.0.0.0")
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["tuitrace: 224.0.0.1 is a multicast address (a group, not one host)",
                                        "tuitrace: 0.0.0.0 is the unspecified address (it names no host)"]


def test_a_bad_targets_file_line_is_one_line_and_exit_2(tmp_path: Path) -> None:
    listing = tmp_path / "hosts.txt"
    listing.write_text("127.0.0.1\n127.0.0.2 # fine\nnot a host\n")
    done = tuitrace("--report", "-n", "--no-lookups", "--targets-file", str(listing))
    assert done.returncode == 2
    assert done.stderr == f"tuitrace: {listing} line 3: one host per line, not 'not a host'\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="raw sockets need root")
def test_a_target_that_fails_does_not_stop_the_others_and_the_run_succeeds() -> None:
    done = tuitrace("--json", "-n", "--no-lookups", "-c", "2", "-i", "0.05", "-w", "0.5",
                    "127.0.0.1", "224.0.0.1", "::1")
    assert done.returncode == 0, done.stderr
    traces = json.loads(done.stdout)["traces"]
    assert [t["target"]["host"] for t in traces] == ["127.0.0.1", "224.0.0.1", "::1"]
    assert traces[1] == {"vantage": "local", "target": {"host": "224.0.0.1", "address": None},
                         "error": "224.0.0.1 is a multicast address (a group, not one host)"}
    for entry in (traces[0], traces[2]):
        assert entry["reached"] is True and entry["rounds"] == 2
        assert [hop["sent"] for hop in entry["hops"]] == [2]


@pytest.mark.parametrize(("words", "message"), [
    (["-T", "--compare", "icmp,tcp", "127.0.0.1"], "--compare names the protocols and ports"),
    (["-p", "443", "--compare", "icmp,tcp", "127.0.0.1"], "--compare names the protocols and ports"),
    (["--compare", "icmp,tcp", "127.0.0.1", "127.0.0.2"], "--compare traces one target"),
    (["--stream", "--compare", "icmp,tcp", "127.0.0.1"], "--stream follows one setting"),
    (["--compare", "icmp", "127.0.0.1"], "--compare needs two settings or more"),
])
def test_what_compare_cannot_do_is_one_line_exit_2(words: list[str], message: str) -> None:
    done = tuitrace("-n", "--no-lookups", *words)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and message in done.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="raw sockets need root")
def test_compare_on_loopback_reports_every_setting() -> None:
    done = tuitrace("--json", "-n", "--no-lookups", "-c", "2", "-i", "0.05", "--compare", "icmp,udp,tcp:9",
                    "127.0.0.1")
    assert done.returncode == 0, done.stderr
    compare = json.loads(done.stdout)["compare"]
    assert [s["label"] for s in compare["settings"]] == ["ICMP", "UDP 33434+n", "TCP/9"]
    assert [[cell["sent"] for cell in hop["settings"]] for hop in compare["hops"]] == [[2, 2, 2]]
    assert compare["verdict"] == "ICMP, UDP 33434+n and TCP/9 take the same path and reach the destination."


@pytest.mark.skipif(os.geteuid() != 0, reason="raw sockets need root")
def test_sigterm_ends_every_target_and_the_report_says_it_is_partial() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tuitrace", "--json", "-n", "--no-lookups", "-i", "0.05",
                             "-c", "1000000", "127.0.0.1", "::1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    threads = 0
    for _ in range(600):  # until both engine threads run (the signal handlers are in place before them)
        threads = len(list(Path(f"/proc/{proc.pid}/task").iterdir()))
        if threads >= 3:
            break
        time.sleep(0.05)
    assert threads >= 3
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM, err
    document = json.loads(out)
    assert document["partial"] is True and document["interrupted_by"] == "SIGTERM"
    assert [trace["target"]["address"] for trace in document["traces"]] == ["127.0.0.1", "::1"]
