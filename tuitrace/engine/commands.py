"""Commands on standard input for ``--stream``: what the TUI's keys do, as lines a program can send.

A trace run somewhere else (``ssh host tuitrace --stream``) has no keyboard: the side that started it
changes the protocol, port, sendwait or interval by writing one command per line to its standard input.
The words and bounds are the TUI's and the command line's (:mod:`tuitrace.defaults`), so a value the
``-z`` flag refuses is refused here with the same words.

The line format (words separated by blanks; ``#`` starts a comment; blank lines are ignored)::

    protocol icmp|udp|tcp [PORT]   switch protocol; PORT as -p (none: classic UDP 33434+n, TCP 80)
    port PORT|default              the destination port of the current protocol
    sendwait VALUE                 as -z: above 10 means milliseconds, else seconds
    interval SECONDS               as -i
    pause | resume | reset | stop

A command that changes a setting shows up as the usual ``setting`` event line. A line that is not a
command is answered with one ``{"type": "error", ...}`` line and otherwise ignored: the trace goes on.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from tuitrace.config import Protocol
from tuitrace.defaults import parse_interval, parse_port, parse_sendwait_text
from tuitrace.engine.control import EngineControl


class Verb(enum.StrEnum):
    PROTOCOL = "protocol"
    PORT = "port"
    SENDWAIT = "sendwait"
    INTERVAL = "interval"
    PAUSE = "pause"
    RESUME = "resume"
    RESET = "reset"
    STOP = "stop"


NO_ARGUMENT = frozenset({Verb.PAUSE, Verb.RESUME, Verb.RESET, Verb.STOP})
MAX_LINE = 200
"""Longer lines are refused unread: nothing valid is that long."""


@dataclasses.dataclass(frozen=True, slots=True)
class Command:
    verb: Verb
    protocol: Protocol | None = None
    port: int | None = None
    seconds: float | None = None


def parse_command(line: str) -> Command | None:
    """The command on ``line``; ``None`` for a blank or comment line; ``ValueError`` (one line) otherwise."""
    if len(line) > MAX_LINE:
        raise ValueError(f"command line too long ({len(line)} characters, at most {MAX_LINE})")
    words = line.split("#", 1)[0].split()
    if not words:
        return None
    name, arguments = words[0].lower(), words[1:]
    try:
        verb = Verb(name)
    except ValueError:
        known = ", ".join(v.value for v in Verb)
        raise ValueError(f"unknown command {name!r} (known: {known})") from None
    if verb in NO_ARGUMENT:
        if arguments:
            raise ValueError(f"{verb} takes no argument")
        return Command(verb)
    if verb is Verb.PROTOCOL:
        return _protocol(arguments)
    if len(arguments) != 1:
        raise ValueError(f"{verb} takes one value")
    (value,) = arguments
    if verb is Verb.PORT:
        return Command(verb, port=None if value.lower() == "default" else parse_port(value))
    if verb is Verb.SENDWAIT:
        return Command(verb, seconds=parse_sendwait_text(value))
    return Command(verb, seconds=parse_interval(value))


def _protocol(arguments: list[str]) -> Command:
    if not 1 <= len(arguments) <= 2:
        raise ValueError("protocol takes a protocol (icmp, udp, tcp) and an optional port")
    try:
        protocol = Protocol(arguments[0].lower())
    except ValueError:
        raise ValueError(f"unknown protocol {arguments[0]!r} (icmp, udp or tcp)") from None
    port = parse_port(arguments[1]) if len(arguments) == 2 else None
    if protocol is Protocol.ICMP and port is not None:
        raise ValueError("ICMP has no port")
    return Command(Verb.PROTOCOL, protocol=protocol, port=port)


def apply_command(command: Command, engine: EngineControl, stop: Callable[[], None]) -> None:
    """Does what ``command`` says to ``engine``; ``stop`` ends the run the way a signal would."""
    match command.verb:
        case Verb.PROTOCOL:
            assert command.protocol is not None
            engine.set_protocol(command.protocol, command.port)
        case Verb.PORT:
            engine.set_protocol(engine.snapshot().setting.protocol, command.port)
        case Verb.SENDWAIT:
            assert command.seconds is not None
            engine.set_sendwait(command.seconds)
        case Verb.INTERVAL:
            assert command.seconds is not None
            engine.set_interval(command.seconds)
        case Verb.PAUSE:
            engine.pause()
        case Verb.RESUME:
            engine.resume()
        case Verb.RESET:
            engine.reset()
        case Verb.STOP:
            stop()


def follow_commands(
    lines: Iterable[str], engine: EngineControl, stop: Callable[[], None], refuse: Callable[[str], object],
) -> int:
    """Applies each command of ``lines`` as it comes; ``refuse`` gets the one-line error of a bad line.
    Returns how many lines were refused. The end of ``lines`` ends only the commands, not the trace."""
    refused = 0
    for number, line in enumerate(lines, 1):
        try:
            command = parse_command(line)
        except ValueError as exc:
            refused += 1
            refuse(f"line {number}: {exc}")
            continue
        if command is not None:
            apply_command(command, engine, stop)
    return refused


def command_lines(stream: IO[bytes], limit: int = MAX_LINE) -> Iterator[str]:
    """The lines of ``stream`` as text (bytes that are not UTF-8 become U+FFFD, so they are refused, not a
    traceback); a line longer than ``limit`` is skipped up to its end and yielded cut just past ``limit``,
    so a reader refuses it once and memory stays bounded whatever the other side sends."""
    while chunk := stream.readline(limit + 2):
        if len(chunk) > limit and not chunk.endswith(b"\n"):
            while (rest := stream.readline(1 << 16)) and not rest.endswith(b"\n"):
                pass
        yield chunk.decode("utf-8", errors="replace").rstrip("\r\n")
