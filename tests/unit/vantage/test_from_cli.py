"""``--from`` on the command line: what goes to the remote side, and one line for what cannot work."""

from __future__ import annotations

import shlex

import pytest

from tuitrace.arguments import build_parser
from tuitrace.cli import invocation_from_args
from tuitrace.errors import TuitraceError
from tuitrace.invocation import Invocation
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
    (["--from", "a", "h"], "--from shows one remote trace on its own for now: give one --from and add "
                           "--no-local (traces side by side are not built yet)"),
    (["--from", "a", "--from", "b", "--no-local", "h"], "--from shows one remote trace on its own for now: "
     "give one --from and add --no-local (traces side by side are not built yet)"),
    (["--from", "a:99999", "--no-local", "h"], "--from 'a:99999': the ssh port must be 1-65535, not '99999'"),
    (["--from", "a", "--no-local", "--stream", "h"], "--stream with --from: run tuitrace --stream on that "
     "host itself"),
    (["--from", "a", "--no-local", "-z", "nan", "h"], "-z must be a finite number, not nan"),
])
def test_what_cannot_work_is_one_line(argv: list[str], error: str) -> None:
    with pytest.raises(TuitraceError) as caught:
        build(*argv)
    assert str(caught.value) == error
