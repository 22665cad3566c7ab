"""The recording format: JSON Lines, one header object, then one compact array per record.

Compact because a record is written for every probe: arrays, not objects, relative times, and nothing for
the fields a lost probe does not have, so an answered probe costs about 50 bytes before gzip.

Line 1, the header (an object)::

    {"format": "tuitrace-recording", "version": 1, "tuitrace": "0.1.0", "started": "2026-...Z",
     "started_epoch_s": 1796000000.123, "mode": "raw", "command_line": "tuitrace ...", "config": {...}}

Then arrays whose first element names the record; the second is always the nanoseconds since the previous
record (since the start for the first), so times are exact and short:

* ``["s", dt, index, "udp:53"]`` — a setting (protocol and port) gets an index, before its first use;
* ``["r", dt, [[key, ttl, round, setting, outcome, responder, rtt_ns, reply_ttl, annotation, mpls], ...],
  trims]`` — results as the engine collected them; outcome ``t`` time exceeded, ``r`` reached,
  ``u`` unreachable, ``l`` lost; trailing empty fields are left out; ``trims`` (left out when none) are
  ``[position, setting, ttl]``: rows beyond ``ttl`` cleared after ``position`` results;
* ``["p", dt, setting, rounds, end, reached, last_shown, sent, dropped]`` — the path summary changed;
* ``["c", dt, command, value]`` — a setting changed (``protocol``: setting index; ``sendwait``/``interval``:
  seconds; ``note``: ``[text, setting or null]``, the event text; ``pause``, ``resume``, ``reset``);
* ``["e", dt, state, elapsed, setting, rounds, end, reached, last_shown, sent, dropped]`` — the end of the
  run, as its final snapshot showed it.

A reader that finds a ``version`` above :data:`FORMAT_VERSION` refuses the file; new record kinds within a
version must be skippable (a reader ignores arrays whose first element it does not know).
"""

from __future__ import annotations

import ipaddress
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from tuitrace import defaults
from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.defaults import MAX_HOPS, PORT
from tuitrace.enrich.inert import inert_text
from tuitrace.errors import TuitraceError
from tuitrace.packet.extensions import MplsLabel
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.timeline.recording import Command, Counts, Progress

FORMAT_NAME: Final = "tuitrace-recording"
FORMAT_VERSION: Final = 1

OUTCOME_CODES: Final = {
    Outcome.TIME_EXCEEDED: "t", Outcome.REACHED: "r", Outcome.UNREACHABLE: "u", Outcome.LOST: "l",
}
OUTCOMES: Final = {code: outcome for outcome, code in OUTCOME_CODES.items()}
MAX_TTL: Final = int(MAX_HOPS.high)
MAX_TEXT: Final = 500
"""Longest text kept from a recording (the command line, an event note): a file may come from anywhere."""
LAST_EPOCH_S: Final = 32_503_680_000
"""The start of the year 3000: a recording that starts later (or, with :data:`MAX_RUN_NS`, ends past 9999,
where ISO 8601 dates end) is damaged."""
MAX_RUN_NS: Final = 10**18
"""A recording longer than this (31 years) is damaged: its times would be no times."""
"""TTLs in a record are checked against it: a damaged one must not make a replay build a million rows."""
CONFIG_FIELDS: Final = (
    "target", "family", "host", "first_ttl", "max_ttl", "interval", "sendwait", "wait", "count", "source",
    "interface", "tos", "packet_len",
)


class RecordingError(TuitraceError):
    """The file is not a recording this tuitrace can read (one line, exit 2)."""


class DamagedRecordError(ValueError):
    """A record that does not decode: the replay stops before it."""


def setting_text(setting: Setting) -> str:
    return setting.protocol.value if setting.port is None else f"{setting.protocol.value}:{setting.port}"


def parse_setting(text: object) -> Setting:
    if not isinstance(text, str):
        raise DamagedRecordError("a setting is not text")
    name, _, port = text.partition(":")
    try:
        protocol = Protocol(name)
        number = int(port) if port else None
    except ValueError:
        raise DamagedRecordError(f"unknown setting {text!r}") from None
    if number is not None and not PORT.low <= number <= PORT.high:
        raise DamagedRecordError(f"setting {text!r}: a port is {PORT.range_text}")
    return Setting(protocol, number)


@dataclass(frozen=True, slots=True)
class Header:
    config: TraceConfig
    started_epoch_s: float
    mode: str
    command_line: str
    version: int = FORMAT_VERSION

    def encode(self, tuitrace_version: str, started: str) -> dict[str, Any]:
        config = {name: getattr(self.config, name) for name in CONFIG_FIELDS}
        config["setting"] = setting_text(self.config.setting)
        return {"format": FORMAT_NAME, "version": self.version, "tuitrace": tuitrace_version,
                "started": started, "started_epoch_s": self.started_epoch_s, "mode": self.mode,
                "command_line": self.command_line, "config": config}


def decode_header(fields: object) -> Header:
    """The header, or :class:`RecordingError` naming what is wrong with it."""
    if not isinstance(fields, dict) or fields.get("format") != FORMAT_NAME:
        raise RecordingError("not a tuitrace recording (its first line is not a recording header)")
    version = fields.get("version")
    if not isinstance(version, int) or version < 1:
        raise RecordingError("the recording header has no valid format version")
    if version > FORMAT_VERSION:
        raise RecordingError(f"the recording is format version {version}, made by tuitrace "
                             f"{fields.get('tuitrace', '?')}; this tuitrace reads up to version "
                             f"{FORMAT_VERSION}: update tuitrace to replay it")
    try:
        raw = fields.get("config")
        if not isinstance(raw, dict):
            raise ValueError("it has no config object")
        config = TraceConfig(setting=parse_setting(raw.get("setting")), **checked_config(raw))
        started = fields.get("started_epoch_s")
        if isinstance(started, bool) or not isinstance(started, int | float) or not (
                math.isfinite(started) and 0 <= started <= LAST_EPOCH_S):
            raise ValueError(f"started_epoch_s must be a time in 1970..2999, not {started!r}")
        return Header(config, float(started), inert_text(str(fields.get("mode", "raw")), 20),
                      inert_text(str(fields.get("command_line", "")), MAX_TEXT), version)
    except ValueError as exc:
        raise RecordingError(f"the recording header is damaged: {exc}") from None


_WHOLE_BOUNDS: Final = {"first_ttl": defaults.FIRST_HOP, "max_ttl": defaults.MAX_HOPS, "tos": defaults.TOS,
                        "packet_len": defaults.PACKET_LEN, "count": defaults.COUNT}
SENDWAIT_SECONDS: Final = defaults.Bound("sendwait", "-z", 0, defaults.MAX_SENDWAIT_S, unit=" s")
"""The sendwait as recorded: seconds, not ``-z``'s number as typed."""
_SECONDS_BOUNDS: Final = {"interval": defaults.INTERVAL, "wait": defaults.WAIT, "sendwait": SENDWAIT_SECONDS}


def checked_config(raw: dict[str, Any]) -> dict[str, Any]:
    """The header's config fields as :class:`TraceConfig` arguments, each of its type and inside the bounds
    the command line has (``ValueError`` naming the first that is not): a file from elsewhere must not
    make a replay probe 100000 TTLs deep or divide by a string."""
    values: dict[str, Any] = {name: raw[name] for name in CONFIG_FIELDS if raw.get(name) is not None}
    for name in ("target", "host", "source", "interface"):
        if name in values and not isinstance(values[name], str):
            raise ValueError(f"{name} must be text, not {values[name]!r}")
    for name in ("host", "interface"):  # shown as they are: no escape sequences from a file of unknown origin
        if name in values:
            values[name] = inert_text(values[name])
    try:
        target = ipaddress.ip_address(values.get("target", ""))
    except ValueError:
        raise ValueError(f"target must be an IP address, not {values.get('target')!r}") from None
    if values.get("family") != target.version:
        raise ValueError(f"family must be {target.version} for {target}, not {values.get('family')!r}")
    for name, bound in (*_WHOLE_BOUNDS.items(), *_SECONDS_BOUNDS.items()):
        if name in values:
            values[name] = _bounded(name, values[name], bound)
    if values.get("first_ttl", defaults.FIRST_TTL) > values.get("max_ttl", defaults.MAX_TTL):
        raise ValueError(f"first_ttl {values.get('first_ttl')} is beyond max_ttl {values.get('max_ttl')}")
    return values


def _bounded(name: str, value: object, bound: defaults.Bound) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, not {value!r}")
    checked = bound.check(value, label=name)  # finite, inside the bounds
    if bound.whole and checked != int(checked):
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    return int(checked) if bound.whole else float(checked)


# -- records -----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Batch:
    at_ns: int
    results: tuple[ProbeResult, ...]
    trims: tuple[tuple[int, Setting, int], ...] = ()


@dataclass(frozen=True, slots=True)
class PathMark:
    at_ns: int
    progress: Progress
    counts: Counts


@dataclass(frozen=True, slots=True)
class Applied:
    at_ns: int
    command: Command
    value: object = None


@dataclass(frozen=True, slots=True)
class Ending:
    at_ns: int
    state: str
    elapsed: float
    progress: Progress
    counts: Counts


Record = Batch | PathMark | Applied | Ending


def encode_result(result: ProbeResult, setting_index: int) -> list[object]:
    key, _, ttl, number, outcome, responder, rtt_ns, annotation, reply_ttl, mpls, _flow = result
    if responder is None and annotation is None:  # lost: nothing more to say
        return [key, ttl, number, setting_index, OUTCOME_CODES[outcome]]
    if annotation is None and not mpls:
        return [key, ttl, number, setting_index, OUTCOME_CODES[outcome], responder, rtt_ns, reply_ttl]
    fields = [key, ttl, number, setting_index, OUTCOME_CODES[outcome], responder, rtt_ns, reply_ttl,
              annotation]
    return [*fields, encode_mpls(mpls)] if mpls else fields


def encode_mpls(labels: Sequence[MplsLabel]) -> list[list[int]]:
    """An RFC 4950 label stack as ``[[label, tc, s, ttl], ...]`` (the 10th field of a result)."""
    return [[m.label, m.traffic_class, int(m.bottom_of_stack), m.ttl] for m in labels]


def decode_mpls(value: object) -> tuple[MplsLabel, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
            isinstance(entry, list) and len(entry) == 4 and all(isinstance(v, int) for v in entry)
            for entry in value):
        raise DamagedRecordError("an MPLS label stack is not a list of [label, tc, s, ttl]")
    return tuple(MplsLabel(label, tc, bool(bottom), ttl) for label, tc, bottom, ttl in value)


def result_json(result: ProbeResult, setting_index: int) -> str:
    """``json.dumps(encode_result(...))`` without separators, written out directly: this runs for every
    probe in the engine thread, and is four times faster than the encoder (strings go through it still)."""
    key, _, ttl, number, outcome, responder, rtt_ns, annotation, reply_ttl, mpls, _flow = result
    if mpls:  # rare (RFC 4950 answers): the general encoder
        return json.dumps(encode_result(result, setting_index), separators=(",", ":"))
    code = outcome[0]  # the codes are the values' first letters (a str index is cheaper than an enum hash)
    if responder is None and annotation is None:
        return f'[{key},{ttl},{number},{setting_index},"{code}"]'
    rtt = "null" if rtt_ns is None else int(rtt_ns)
    left = "null" if reply_ttl is None else int(reply_ttl)
    text = f'[{key},{ttl},{number},{setting_index},"{code}",{json_string(responder)},{rtt},{left}'
    return text + ("]" if annotation is None else f",{json_string(annotation)}]")


_QUOTED: dict[str, str] = {}
QUOTED_LIMIT = 4096
"""Strings quoted so far (responders, annotations), kept up to this many: a few dozen in a real trace."""


def json_string(text: str | None) -> str:
    if text is None:
        return "null"
    quoted = _QUOTED.get(text)
    if quoted is None:
        if len(_QUOTED) >= QUOTED_LIMIT:
            _QUOTED.clear()
        quoted = _QUOTED[text] = json.dumps(text, ensure_ascii=False)
    return quoted


def decode_result(fields: object, settings: Sequence[Setting]) -> ProbeResult:
    if not isinstance(fields, list) or not 5 <= len(fields) <= 10:
        raise DamagedRecordError("a result is not a list of 5 to 10 fields")
    padded = fields + [None] * (10 - len(fields))
    key, ttl, number, index, code, responder, rtt, reply_ttl, annotation, mpls = padded
    if not all(isinstance(value, int) for value in (key, ttl, number, index)):
        raise DamagedRecordError("a result's key, TTL, round or setting is not a number")
    if not 1 <= ttl <= MAX_TTL:
        raise DamagedRecordError(f"a result's TTL {ttl} is not 1..{MAX_TTL}")
    outcome = OUTCOMES.get(code) if isinstance(code, str) else None
    if outcome is None:
        raise DamagedRecordError(f"unknown outcome {code!r}")
    if not (responder is None or isinstance(responder, str)) or not (
            rtt is None or isinstance(rtt, int)) or not (reply_ttl is None or isinstance(reply_ttl, int)) \
            or not (annotation is None or isinstance(annotation, str)):
        raise DamagedRecordError("a result field has the wrong type")
    if responder is not None and not is_address(responder):
        raise DamagedRecordError(f"a responder is not an IP address: {inert_text(responder, 60)!r}")
    mark = None if annotation is None else inert_annotation(annotation)
    return ProbeResult(key, setting_at(settings, index), ttl, number, outcome, responder, rtt, mark,
                       reply_ttl, decode_mpls(mpls))


@cache
def is_address(text: str) -> bool:
    """A responder must be an address (a recording's few dozen, so each is checked once)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return "%" not in text


@cache
def inert_annotation(text: str) -> str:
    """``!X``, ``!F-1500``...: short, and inert whatever the file says."""
    return inert_text(text, 16)


def setting_at(settings: Sequence[Setting], index: object) -> Setting:
    if not isinstance(index, int) or not 0 <= index < len(settings):
        raise DamagedRecordError(f"setting {index!r} was never declared")
    return settings[index]


def encode_progress(progress: Progress, counts: Counts, setting_index: int) -> list[object]:
    return [setting_index, progress.rounds, progress.end, int(progress.reached), progress.last_shown,
            counts.sent, counts.dropped]


def decode_progress(fields: Sequence[object], settings: Sequence[Setting]) -> tuple[Progress, Counts]:
    if len(fields) != 7:
        raise DamagedRecordError("a path summary is not 7 fields")
    index, rounds, end, reached, last_shown, sent, dropped = fields
    numbers = (rounds, reached, last_shown, sent, dropped)
    if not all(isinstance(value, int) for value in numbers) or not (end is None or isinstance(end, int)):
        raise DamagedRecordError("a path summary field is not a number")
    assert isinstance(rounds, int) and isinstance(last_shown, int) and isinstance(sent, int)
    assert isinstance(dropped, int) and (end is None or isinstance(end, int))
    if not 0 <= last_shown <= MAX_TTL or not (end is None or 1 <= end <= MAX_TTL):
        raise DamagedRecordError(f"a path summary's TTLs are not 1..{MAX_TTL}")
    return (Progress(setting_at(settings, index), rounds, end, bool(reached), last_shown),
            Counts(sent, dropped))
