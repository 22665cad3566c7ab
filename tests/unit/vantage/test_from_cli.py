"""``--from`` on the command line: what goes to the remote side, and one line for what cannot work."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tuitrace.arguments import build_parser
from tuitrace.cli import add_vantages_from_file, invocation_from_args, several_targets
from tuitrace.errors import TuitraceError
from tuitrace.invocation import Invocation
from tuitrace.multitarget import plan_targets
from tuitrace.vantage.ssh import Vantage


def build(*argv: str) -> Invocation:
    ns = build_parser().parse_words(list(argv))
    return invocation_from_args(ns, ["tuitrace", *argv], environ={}, warn=lambda _text: None)


def test_the_remote_side_gets_the_checked_values_and_resolves_the_name_itself() -> None:
    invocation = build("--from", "ops@jump:2222", "--no-local", "--ssh-config", "/tmp/cfg", "-T", "-p", "443",
                       "-z", "50", "-i", "2", "-w", "1.5", "-c", "5", "--json", "-6", "internal-only.example")
    remote = invocation.remote
    assert remote is not None and remote.vantage == Vantage("jump", "ops", 2222)
    assert remote.ssh_config == "/tmp/cfg" and remote.remote_command == "tuitrace"
    assert list(remote.remote_words) == shlex.split(
        "-P tcp -p 443 -6 -z 0.05 -w 1.5 -i 2 -f 1 -m 30 -t 0 --packet-size 0 -c 5 -n --no-lookups -- "
        "internal-only.example")
    assert invocation.trace.host == "internal-only.example"  # not resolved here


def test_without_from_nothing_changes() -> None:
    assert build("-n", "--no-lookups", "127.0.0.1").remote is None


@pytest.mark.parametrize(("argv", "error"), [
    (["--no-local", "h"], "--no-local needs --from [USER@]HOST: there is no other trace to show"),
    (["--from", "a", "--record", "x.jsonl", "--no-local", "h"],
     "--record with --from is not built yet: record on that host with --record there"),
    (["--from", "a:99999", "--no-local", "h"], "--from 'a:99999': the ssh port must be 1-65535, not '99999'"),
    (["--from", "a", "--no-local", "--stream", "h"], "--stream with --from: run tuitrace --stream on that "
     "host itself"),
    (["--from", "a", "--no-local", "-z", "nan", "h"], "-z must be a finite number, not nan"),
])
def test_what_cannot_work_is_one_line(argv: list[str], error: str) -> None:
    with pytest.raises(TuitraceError) as caught:
        build(*argv)
    assert str(caught.value) == error


def test_from_beside_the_local_trace_plans_one_trace_per_place_and_host() -> None:
    ns = build_parser().parse_words(["--from", "ops@jump1", "--from", "jump2:2222", "-n", "--no-lookups",
                                     "-T", "127.0.0.1", "::1"])
    assert several_targets(ns)
    plans = plan_targets(ns, ["tuitrace"], warn=lambda _text: None, environ={})
    assert plans is not None
    assert [(p.host, p.vantage) for p in plans] == [
        ("127.0.0.1", "local"), ("::1", "local"),
        ("127.0.0.1 from ops@jump1", "ops@jump1"), ("::1 from ops@jump1", "ops@jump1"),
        ("127.0.0.1 from jump2:2222", "jump2:2222"), ("::1 from jump2:2222", "jump2:2222")]
    remote = plans[2].invocation
    assert remote is not None and remote.remote is not None
    assert remote.remote.vantage == Vantage("jump1", "ops")
    assert remote.remote.remote_words[-2:] == ("--", "127.0.0.1")
    assert all(p.invocation is not None and p.invocation.remote is None for p in plans[:2])


def test_no_local_with_two_places_plans_only_theirs() -> None:
    ns = build_parser().parse_words(["--from", "a", "--from", "b", "--no-local", "db.internal"])
    plans = plan_targets(ns, ["tuitrace"], warn=lambda _text: None, environ={})
    assert plans is not None and [p.host for p in plans] == ["db.internal from a", "db.internal from b"]


def test_from_file_adds_one_place_per_line_and_says_which_line_is_wrong(tmp_path: Path) -> None:
    places = tmp_path / "places"
    places.write_text("# our jump hosts\nops@jump1:2222\n\n[2001:db8::7]:22  # lab\n", encoding="utf-8")
    ns = build_parser().parse_words(["--from", "jump0", "--from-file", str(places), "-n", "127.0.0.1"])
    add_vantages_from_file(ns)
    assert ns.vantages == ["jump0", "ops@jump1:2222", "[2001:db8::7]:22"]
    places.write_text("jump1\nops@jump 2\n", encoding="utf-8")
    ns = build_parser().parse_words(["--from-file", str(places), "127.0.0.1"])
    with pytest.raises(TuitraceError) as caught:
        add_vantages_from_file(ns)
    assert str(caught.value) == f"{places} line 2: one [USER@]HOST[:PORT] per line, not 'ops@jump 2'"
    places.write_text("jump1\nhost;reboot\n", encoding="utf-8")
    with pytest.raises(TuitraceError) as caught:
        add_vantages_from_file(build_parser().parse_words(["--from-file", str(places), "127.0.0.1"]))
    assert str(caught.value) == f"{places} line 2: 'host;reboot' is not a host name or address"
