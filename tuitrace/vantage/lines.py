"""``--stream`` lines read back: a remote trace's start, its rounds as probe results, its events.

The remote side is another tuitrace, but the bytes come over a network and through a remote shell's
profile scripts (a ``motd`` or an ``echo`` in ``.bashrc`` lands on the same standard output): a line that
is not one of ours is counted and dropped, never a traceback. A ``start`` line of a newer format version
is refused, so numbers are never misread.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from tuitrace.config import Protocol, Setting
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.report.stream import STREAM_VERSION
from tuitrace.timeline.events import Event, EventKind

MAX_LINE = 1 << 20
"""A line longer than this (1 MiB) is not ours: a round of 255 hops is about 30 kB."""


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
                return RemoteError(_text(fields["message"]))
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
    return Start(_text(fields["host"]), _text(fields["target"]), _whole(fields["family"]),
                 _setting(fields), _text(fields["mode"]), _number(fields["interval"]),
                 _number(fields["sendwait"]), _number(fields["wait"]), _whole(fields["max_ttl"]))


def _round(fields: dict[str, Any]) -> Round:
    number = _whole(fields["round"])
    setting = _setting(fields)
    results = []
    for hop in fields["hops"]:
        if not isinstance(hop, dict):
            raise TypeError("a hop is an object")
        rtt_ms = hop.get("rtt_ms")
        rtt_ns = None if rtt_ms is None else round(_number(rtt_ms) * 1e6)
        responder = hop.get("address")
        annotation = hop.get("annotation")
        results.append(ProbeResult(
            key=0, setting=setting, ttl=_whole(hop["ttl"]), round=number, outcome=Outcome(hop["outcome"]),
            responder=None if responder is None else _text(responder), rtt_ns=rtt_ns,
            annotation=None if annotation is None else _text(annotation)))
    return Round(number, _number(fields["t_s"]), tuple(results))


def _event(fields: dict[str, Any]) -> Event:
    ttl, address, duration = fields.get("ttl"), fields.get("address"), fields.get("duration_s")
    return Event(_text(fields["time"]), _number(fields["t_s"]), EventKind(fields["kind"]),
                 None if ttl is None else _whole(ttl), None if address is None else _text(address),
                 None if duration is None else _number(duration), _text(fields["text"]))


def _setting(fields: dict[str, Any]) -> Setting:
    port = fields.get("port")
    return Setting(Protocol(fields["protocol"]), None if port is None else _whole(port))


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
