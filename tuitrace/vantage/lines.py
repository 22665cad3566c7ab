"""``--stream`` lines read back: a remote trace's start, its rounds as probe results, its events.

The remote side is another tuitrace, but the bytes come over a network and through a remote shell's
profile scripts (a ``motd`` or an ``echo`` in ``.bashrc`` lands on the same standard output): a line that
is not one of ours is counted and dropped, never a traceback. A ``start`` line of a newer format version
is refused, so numbers are never misread.

Every field is checked as untrusted input: addresses must be IP addresses, TTLs 1-255, times finite and
below an hour, annotations traceroute's marks; the sentences (event texts, error messages) go through the
same cleaning as names from the network (:func:`~tuitrace.enrich.inert.inert_text`: no escape sequences,
bounded length). A line with anything else is dropped whole.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import math
import re
from typing import Any

from tuitrace.config import Protocol, Setting
from tuitrace.enrich.inert import inert_text
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.report.stream import STREAM_VERSION
from tuitrace.timeline.events import Event, EventKind

MAX_LINE = 1 << 20
"""A line longer than this (1 MiB) is not ours: a round of 255 hops is about 30 kB."""
MAX_SECONDS = 3600.0
"""An RTT or a duration above an hour is not a measurement."""
MAX_RUN_S = 1e9
"""Seconds since a trace started: thirty years is not a time."""
MAX_TEXT = 500
_ANNOTATION = re.compile(r"![A-Z]?|!F-\d{1,5}|!\d{1,3}|![A-Z]{1,2}")


class NewerStreamError(ValueError):
    """The remote tuitrace writes a newer line format than this one reads."""


@dataclasses.dataclass(frozen=True, slots=True)
class Start:
    host: str
    target: str
    family: int
    setting: Setting
    mode: str
    interval: float
    sendwait: float
    wait: float
    max_ttl: int


@dataclasses.dataclass(frozen=True, slots=True)
class Round:
    round: int
    t_s: float
    results: tuple[ProbeResult, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class RemoteError:
    message: str


Line = Start | Round | Event | RemoteError


def read_line(text: str) -> Line | None:
    """The record on ``text``; ``None`` for anything that is not a well-formed line of ours."""
    if len(text) > MAX_LINE:
        return None
    try:
        fields = json.loads(text)
    except ValueError:
        return None
    if not isinstance(fields, dict):
        return None
    try:
        match fields.get("type"):
            case "start":
                return _start(fields)
            case "round":
                return _round(fields)
            case "event":
                return _event(fields)
            case "error":
                return RemoteError(inert_text(_text(fields["message"]), MAX_TEXT))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, NewerStreamError):
            raise
        return None
    return None


def _start(fields: dict[str, Any]) -> Start:
    version = fields["version"]
    if not isinstance(version, int) or version > STREAM_VERSION:
        raise NewerStreamError(f"the remote tuitrace writes stream version {version}; this one reads up to "
                          f"{STREAM_VERSION}: update it here")
    family = _whole(fields["family"])
    if family not in (4, 6):
        raise ValueError("family is 4 or 6")
    return Start(inert_text(_text(fields["host"])), _address(fields["target"]), family, _setting(fields),
                 inert_text(_text(fields["mode"]), 20), _bounded(fields["interval"], MAX_SECONDS),
                 _bounded(fields["sendwait"], MAX_SECONDS), _bounded(fields["wait"], MAX_SECONDS),
                 _ttl(fields["max_ttl"]))


def _round(fields: dict[str, Any]) -> Round:
    number = _whole(fields["round"])
    setting = _setting(fields)
    results = []
    for hop in fields["hops"]:
        if not isinstance(hop, dict):
            raise TypeError("a hop is an object")
        rtt_ms = hop.get("rtt_ms")
        rtt_ns = None if rtt_ms is None else round(_bounded(rtt_ms, MAX_SECONDS * 1000) * 1e6)
        responder = hop.get("address")
        annotation = hop.get("annotation")
        if annotation is not None and not _ANNOTATION.fullmatch(_text(annotation)):
            raise ValueError("not an annotation")
        results.append(ProbeResult(
            key=0, setting=setting, ttl=_ttl(hop["ttl"]), round=number, outcome=Outcome(hop["outcome"]),
            responder=None if responder is None else _address(responder), rtt_ns=rtt_ns,
            annotation=annotation))
    if number < 0:
        raise ValueError("a round number is not negative")
    return Round(number, _bounded(fields["t_s"], MAX_RUN_S), tuple(results))


def _event(fields: dict[str, Any]) -> Event:
    ttl, address, duration = fields.get("ttl"), fields.get("address"), fields.get("duration_s")
    return Event(inert_text(_text(fields["time"]), 40), _bounded(fields["t_s"], MAX_RUN_S),
                 EventKind(fields["kind"]),
                 None if ttl is None else _ttl(ttl), None if address is None else _address(address),
                 None if duration is None else _bounded(duration, MAX_SECONDS * 24),
                 inert_text(_text(fields["text"]), MAX_TEXT))


def _setting(fields: dict[str, Any]) -> Setting:
    port = fields.get("port")
    if port is not None and not 1 <= _whole(port) <= 65535:
        raise ValueError("not a port")
    return Setting(Protocol(fields["protocol"]), port)


def _address(value: object) -> str:
    return str(ipaddress.ip_address(_text(value)))


def _ttl(value: object) -> int:
    ttl = _whole(value)
    if not 1 <= ttl <= 255:
        raise ValueError("a TTL is 1-255")
    return ttl


def _bounded(value: object, most: float) -> float:
    number = _number(value)
    if not (math.isfinite(number) and 0 <= number <= most):
        raise ValueError("out of range")
    return number


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _whole(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected a whole number")
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("expected a number")
    return float(value)
