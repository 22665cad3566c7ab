"""Which hosts one run traces: the positional words and ``--targets-file``, as a list of names.

``tuitrace HOST [PACKET_LEN]`` is traceroute's grammar, and stays so: a last word that reads as a number
(``60``, but also ``nan`` or ``1e3``, which the packet length's own check then refuses in one line) is the
packet length. Every other word is a host (``tuitrace a b c``). ``--targets-file FILE``
adds one host per line (blank lines and ``#`` comments ignored); a line that cannot be a host name or
address is an error naming the file and the line, never a trace of nonsense.

Kept out of :mod:`tuitrace.cli`: reading a file and splitting words is all it does, and a test needs no
command line for it. Resolving the names is :mod:`tuitrace.targets`'s job, per host, later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tuitrace import defaults
from tuitrace.errors import TuitraceError, plain_os_error

_HOST = re.compile(r"[A-Za-z0-9_.:%-]+")
"""What a host name or address is made of (names, IPv4, IPv6 with a scope): anything else is a typo."""
_MAX_HOST_LENGTH = 253


@dataclass(frozen=True, slots=True)
class TargetWords:
    """The hosts to trace, in the order given, and traceroute's PACKET_LEN if one was given."""

    hosts: tuple[str, ...]
    packet_len: str | None


def looks_like_length(word: str) -> bool:
    """True when ``word`` reads as a number: then it is traceroute's PACKET_LEN, not a host."""
    try:
        float(word)
    except ValueError:
        return False
    return True


def split_words(words: Sequence[str]) -> TargetWords:
    """The positional words as hosts and an optional packet length (see the module's docstring)."""
    hosts = list(words)
    packet_len = None
    if len(hosts) >= 2 and looks_like_length(hosts[-1]):
        packet_len = hosts.pop()
    return TargetWords(tuple(hosts), packet_len)


def host_problem(text: str) -> str | None:
    """Why ``text`` cannot name a host, or ``None`` when it can."""
    if len(text) > _MAX_HOST_LENGTH:
        return f"longer than {_MAX_HOST_LENGTH} characters"
    if not _HOST.fullmatch(text):
        return "not a host name or address"
    return None


def parse_targets_file(text: str, name: str, problem: Callable[[str], str | None] = host_problem,
                       what: str = "host") -> list[str]:
    """The entries listed in a file's ``text``: one per line, ``#`` starts a comment; ``problem`` says
    what is wrong with one (hosts for ``--targets-file``, ``[user@]host[:port]`` for ``--from-file``)."""
    entries: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        if any(character.isspace() for character in entry):
            raise TuitraceError(f"{name} line {number}: one {what} per line, not {_shown(entry)}")
        wrong = problem(entry)
        if wrong is not None:
            raise TuitraceError(f"{name} line {number}: {_shown(entry)} is {wrong}")
        entries.append(entry)
    return entries


def _shown(entry: str) -> str:
    """An entry quoted for an error line, cut short and with control characters made visible."""
    return repr(entry if len(entry) <= 40 else entry[:40] + "…")


def read_targets_file(path: str, flag: str = "--targets-file",
                      problem: Callable[[str], str | None] = host_problem, what: str = "host") -> list[str]:
    """``--targets-file`` (or ``flag``): the entries in the file; a file that cannot be read or holds none
    is an error."""
    file = Path(path)
    try:
        if file.is_dir():
            raise TuitraceError(f"{flag} {path}: it is a directory")
        with file.open("rb") as handle:
            data = handle.read(defaults.TARGETS_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise TuitraceError(f"{flag} {plain_os_error(exc, 'cannot read')}") from None
    if len(data) > defaults.TARGETS_FILE_MAX_BYTES:
        limit = defaults.TARGETS_FILE_MAX_BYTES
        raise TuitraceError(f"{flag} {path}: larger than {limit} bytes, not a list of {what}s")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TuitraceError(f"{path} line {line}: not UTF-8 text") from None
    entries = parse_targets_file(text, path, problem, what)
    if not entries:
        raise TuitraceError(f"{flag} {path}: no {what} in it (one per line, # for comments)")
    return entries


def target_hosts(words: Sequence[str], targets_file: str | None) -> TargetWords:
    """Every host of the run: the positional ones, then the file's; at least one, at most
    ``defaults.MAX_TARGETS``."""
    given = split_words(words)
    hosts = list(given.hosts)
    for host in hosts:
        problem = host_problem(host)
        if problem is not None and len(hosts) > 1:  # one host: the resolver's own message is clearer
            raise TuitraceError(f"{_shown(host)} is {problem}")
    if targets_file is not None:
        hosts.extend(read_targets_file(targets_file))
    if not hosts:
        raise TuitraceError("give a host to trace (or --targets-file FILE)")
    if len(hosts) > defaults.MAX_TARGETS:
        raise TuitraceError(f"{len(hosts)} targets: at most {defaults.MAX_TARGETS} in one run")
    return TargetWords(tuple(hosts), given.packet_len)
