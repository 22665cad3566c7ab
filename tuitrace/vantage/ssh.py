"""Where a remote trace runs (``--from [user@]host[:port]``), the ``ssh`` command that starts it, and what
went wrong when it did not.

The ``ssh`` binary does the hard parts: keys, agent, ``~/.ssh/config`` with its jump hosts, known_hosts.
tuitrace passes ``BatchMode=yes`` so ssh never asks for a password or a host key decision on the
terminal (the TUI owns it), and it never weakens host key checking: a changed key is a failure the user
resolves, not something to retry.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import shlex
from collections.abc import Sequence

from tuitrace.enrich.inert import inert_text

REMOTE_COMMAND = "tuitrace"
"""What runs on the remote host unless ``--remote-command`` says otherwise (found on the remote PATH)."""
KEEPALIVE_S = 5
"""ssh's ServerAliveInterval: a dead connection is noticed within about three of these."""

_USER = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]*")
_HOST = re.compile(r"[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.%a-zA-Z]+\]|[0-9A-Fa-f:]+:[0-9A-Fa-f:.]*")


@dataclasses.dataclass(frozen=True, slots=True)
class Vantage:
    host: str
    user: str | None = None
    port: int | None = None

    @property
    def label(self) -> str:
        """As the user wrote it, for tabs and messages."""
        who = f"{self.user}@" if self.user else ""
        host = f"[{self.host}]" if ":" in self.host and self.port is not None else self.host
        return f"{who}{host}" + (f":{self.port}" if self.port is not None else "")


def parse_vantage(text: str) -> Vantage:
    """``[user@]host[:port]``, an IPv6 address bare or as ``[addr]:port``; ``ValueError`` with one line."""
    spec = text.strip()
    user: str | None = None
    if "@" in spec:
        user, spec = spec.rsplit("@", 1)
        if not _USER.fullmatch(user):
            raise ValueError(f"--from {text!r}: not a user name: {user!r}")
    port: int | None = None
    if spec.startswith("["):
        host, bracket, rest = spec[1:].partition("]")
        if not bracket:
            raise ValueError(f"--from {text!r}: expected [address] or [address]:port")
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"--from {text!r}: expected [address]:port")
            port = _port(text, rest[1:])
    elif spec.count(":") == 1:
        host, _, port_text = spec.partition(":")
        port = _port(text, port_text)
    else:
        host = spec  # a name, an IPv4 address, or a bare IPv6 address (no port)
    if not host or host.startswith("-") or not _HOST.fullmatch(host):
        raise ValueError(f"--from {text!r}: not a host name or address")
    return Vantage(host, user, port)


def _port(text: str, port_text: str) -> int:
    if not (port_text.isascii() and port_text.isdecimal()) or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"--from {text!r}: the ssh port must be 1-65535, not {port_text!r}")
    return int(port_text)


def ssh_command(
    vantage: Vantage, trace_words: Sequence[str], *, remote_command: str = REMOTE_COMMAND,
    ssh_config: str | None = None, ssh: str = "ssh",
) -> list[str]:
    """The argv that runs ``remote_command --stream <trace_words>`` on ``vantage``.

    ssh joins the remote words with blanks for the remote shell, so each is quoted; ``remote_command`` is
    split like a shell would (``sudo /opt/tt/bin/tuitrace`` works)."""
    argv = [ssh, "-T", "-o", "BatchMode=yes", "-o", f"ServerAliveInterval={KEEPALIVE_S}",
            "-o", "ServerAliveCountMax=3", "-o", "ConnectTimeout=10"]
    if ssh_config is not None:
        argv += ["-F", ssh_config]
    if vantage.port is not None:
        argv += ["-p", str(vantage.port)]
    if vantage.user is not None:
        argv += ["-l", vantage.user]
    remote = [*shlex.split(remote_command), "--stream", *trace_words]
    return [*argv, "--", vantage.host, shlex.join(remote)]


class Failure(enum.StrEnum):
    NOT_FOUND = "not-found"
    AUTH = "auth"
    HOST_KEY = "host-key"
    UNREACHABLE = "unreachable"
    DROPPED = "dropped"
    REMOTE_ERROR = "remote-error"

    @property
    def retried(self) -> bool:
        """Worth connecting again after a pause: the network may come back; keys and installs do not."""
        return self in (Failure.UNREACHABLE, Failure.DROPPED)


_PATTERNS: tuple[tuple[Failure, re.Pattern[str]], ...] = (
    (Failure.HOST_KEY, re.compile(r"REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed")),
    (Failure.AUTH, re.compile(r"Permission denied|Too many authentication failures")),
    (Failure.UNREACHABLE, re.compile(
        r"Connection refused|No route to host|Network is unreachable|Connection timed out|"
        r"Could not resolve hostname|Name or service not known|Temporary failure in name resolution")),
    (Failure.DROPPED, re.compile(
        r"Connection closed|Connection reset|Broken pipe|Timeout, server .* not responding|"
        r"client_loop: send disconnect")),
)


def classify(returncode: int, stderr: str) -> Failure:
    """Why the remote trace ended, from ssh's exit status and what it and the remote side said."""
    if returncode == 127 or re.search(r"tuitrace: (command )?not found|No such file or directory", stderr):
        return Failure.NOT_FOUND
    for failure, pattern in _PATTERNS:
        if pattern.search(stderr):
            return failure
    if returncode == 255:  # ssh's own failure with words we do not know: the connection, most likely
        return Failure.DROPPED
    return Failure.REMOTE_ERROR


def explain(failure: Failure, vantage: Vantage, stderr: str, remote_command: str = REMOTE_COMMAND) -> str:
    """One line for the vantage point's tab: what happened and what the user can do (what ssh or the remote
    side said is quoted as inert text: it is not ours)."""
    last = inert_text(next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), ""))
    where = vantage.label
    match failure:
        case Failure.NOT_FOUND:
            return (f"{remote_command.split(maxsplit=1)[0]} not found on {where}: install it there with "
                    f"'pip install tuitrace', or name it with --remote-command")
        case Failure.AUTH:
            return f"ssh to {where} was refused (authentication): {last}"
        case Failure.HOST_KEY:
            return (f"the host key of {where} does not match known_hosts: not connecting (check it and "
                    f"fix known_hosts yourself)")
        case Failure.UNREACHABLE:
            return f"cannot reach {where} over ssh: {last}"
        case Failure.DROPPED:
            return f"the connection to {where} dropped" + (f": {last}" if last else "")
        case Failure.REMOTE_ERROR:
            return f"tuitrace on {where} stopped: {last}" if last else f"tuitrace on {where} stopped"


@dataclasses.dataclass(slots=True)
class Backoff:
    """Pauses before reconnecting: doubling from ``first_s`` up to ``most_s``; a connection that delivered
    data starts over from ``first_s``."""

    first_s: float = 1.0
    most_s: float = 60.0
    _next_s: float = 0.0

    def __post_init__(self) -> None:
        self._next_s = self.first_s

    def pause(self) -> float:
        """The pause before the next attempt (and doubles the one after)."""
        pause, self._next_s = self._next_s, min(self.most_s, self._next_s * 2)
        return pause

    def connected(self) -> None:
        self._next_s = self.first_s
