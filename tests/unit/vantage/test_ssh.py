"""``--from``: where a remote trace runs, the ssh command that starts it, and how its failures read."""

from __future__ import annotations

import shlex

import pytest

from tuitrace.vantage.ssh import Backoff, Failure, Vantage, classify, explain, parse_vantage, ssh_command


@pytest.mark.parametrize(("text", "vantage"), [
    ("lab-host", Vantage("lab-host")),
    ("ops@lab-host", Vantage("lab-host", "ops")),
    ("ops@lab-host:2222", Vantage("lab-host", "ops", 2222)),
    ("192.0.2.7:22", Vantage("192.0.2.7", None, 22)),
    ("2001:db8::7", Vantage("2001:db8::7")),
    ("root@[2001:db8::7]:2200", Vantage("2001:db8::7", "root", 2200)),
])
def test_vantage_points_read_as_ssh_destinations(text: str, vantage: Vantage) -> None:
    assert parse_vantage(text) == vantage
    assert parse_vantage(vantage.label) == vantage


@pytest.mark.parametrize(("text", "error"), [
    ("", "--from '': not a host name or address"),
    ("-oProxyCommand=x", "--from '-oProxyCommand=x': not a host name or address"),
    ("ops@host:0", "--from 'ops@host:0': the ssh port must be 1-65535, not '0'"),
    ("ops@host:ssh", "--from 'ops@host:ssh': the ssh port must be 1-65535, not 'ssh'"),
    ("a b@host", "--from 'a b@host': not a user name: 'a b'"),
    ("[2001:db8::7]x", "--from '[2001:db8::7]x': expected [address]:port"),
    ("[2001:db8::7", "--from '[2001:db8::7': expected [address] or [address]:port"),
    ("ops@[2001:db8::7:22", "--from 'ops@[2001:db8::7:22': expected [address] or [address]:port"),
    ("host;reboot", "--from 'host;reboot': not a host name or address"),
])
def test_a_wrong_vantage_point_is_one_line(text: str, error: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_vantage(text)
    assert str(caught.value) == error


def test_the_ssh_command_never_prompts_and_quotes_the_remote_words() -> None:
    argv = ssh_command(Vantage("lab-host", "ops", 2222), ["-c", "3", "a target; rm -rf /"],
                       remote_command="sudo /opt/tuitrace/bin/tuitrace", ssh_config="/tmp/ssh config")
    assert argv[:2] == ["ssh", "-T"]
    assert "BatchMode=yes" in argv and "StrictHostKeyChecking=no" not in " ".join(argv)
    assert argv[argv.index("-F") + 1] == "/tmp/ssh config"
    assert argv[argv.index("-p") + 1] == "2222" and argv[argv.index("-l") + 1] == "ops"
    assert argv[-3:-1] == ["--", "lab-host"]
    assert shlex.split(argv[-1]) == ["sudo", "/opt/tuitrace/bin/tuitrace", "--stream", "-c", "3",
                                     "a target; rm -rf /"]


@pytest.mark.parametrize(("code", "stderr", "failure"), [
    (127, "bash: line 1: tuitrace: command not found\n", Failure.NOT_FOUND),
    (255, "ops@lab-host: Permission denied (publickey).\n", Failure.AUTH),
    (255, "@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nHost key verification failed.\n",
     Failure.HOST_KEY),
    (255, "Host key verification failed.\n", Failure.HOST_KEY),
    (255, "ssh: connect to host lab-host port 22: Connection refused\n", Failure.UNREACHABLE),
    (255, "Timeout, server lab-host not responding.\n", Failure.DROPPED),
    (255, "", Failure.DROPPED),
    (2, "tuitrace: cannot resolve 'nowhere.invalid'\n", Failure.REMOTE_ERROR),
])
def test_why_a_remote_trace_ended(code: int, stderr: str, failure: Failure) -> None:
    assert classify(code, stderr) is failure


def test_only_the_network_is_worth_retrying_and_the_words_say_what_to_do() -> None:
    assert {f for f in Failure if f.retried} == {Failure.UNREACHABLE, Failure.DROPPED}
    where = Vantage("lab-host", "ops")
    assert explain(Failure.NOT_FOUND, where, "") == (
        "tuitrace not found on ops@lab-host: install it there with 'pip install tuitrace', or name it with "
        "--remote-command")
    assert "not connecting" in explain(Failure.HOST_KEY, where, "Host key verification failed.")
    assert explain(Failure.AUTH, where, "x\nops@lab-host: Permission denied (publickey).\n").endswith(
        "Permission denied (publickey).")


def test_backoff_doubles_to_a_ceiling_and_starts_over_after_data() -> None:
    backoff = Backoff(first_s=1, most_s=5)
    assert [backoff.pause() for _ in range(5)] == [1, 2, 4, 5, 5]
    backoff.connected()
    assert backoff.pause() == 1
