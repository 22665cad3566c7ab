"""RIPE Atlas traceroute results as the probe results tuitrace's statistics already take.

A saved results file (the API's JSON list, or JSON lines as the ``ripe-atlas`` CLI and the daily dumps
write them) or an API answer is parsed with ``ripe.atlas.sagan``, RIPE's maintained parser of the format:
it knows which firmware wrote which field (``pf`` before ``af``, the legacy string results) so we do not.
Each result record is one round of one Atlas probe; each packet in a hop is one probe of that round:

- ``{"x": "*"}`` is a timeout (lost);
- a reply from the destination is ``reached``; an ``err`` (ICMP unreachable: ``N``, ``H``, ``A``, ``P``,
  ``p`` or the numeric code) ends the path with the annotation tuitrace uses (``!N``, ``!H``, ``!X`` ...);
  a port unreachable from the destination itself is how a UDP trace arrives, not an error;
- ``late`` replies answer an earlier probe that already counted as lost, and ``dup`` replies repeat one
  already counted: both are counted per trace, never as probes (sagan leaves late ones out of its hops;
  we read them from the hop's raw record);
- ``{"error": "..."}`` is the probe failing to send (``sendto failed``): kept as text, not a probe.

Everything from the file is untrusted: a record sagan cannot parse, a non-traceroute record, an address
that is not one, an absurd RTT or hop number is counted and dropped; free text (names, errors) goes
through :func:`~tuitrace.enrich.inert.inert_text` before anything shows it.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tuitrace.config import Protocol, Setting
from tuitrace.enrich.inert import inert_text
from tuitrace.errors import TuitraceError
from tuitrace.packet.constants import ICMP_BY_FAMILY
from tuitrace.packet.extensions import MplsLabel
from tuitrace.probe.annotate import unreachable_mark
from tuitrace.probe.types import KEY_SPACE, Outcome, ProbeResult

MAX_HOP = 64
"""Hop numbers above this are not path hops (Atlas writes hop 255 for its last try past the maximum)."""
MAX_RTT_MS = 120_000.0
MAX_RESULTS = 100_000
"""Records read from one file or answer at most; the rest are counted as dropped."""
MAX_ERRORS = 20
"""Distinct probe-side error texts kept per trace."""
TCP_DEFAULT_PORT = 80
"""Atlas's TCP traceroutes go to port 80 unless the measurement says otherwise."""

_ERR_ANNOTATION = {"N": "!N", "H": "!H", "A": "!X", "P": "!P"}
"""Atlas's letters for ICMP unreachable codes, as traceroute writes them."""


class AtlasError(TuitraceError):
    """Atlas data or the Atlas API could not give traces (one line)."""


class AtlasRateLimitError(AtlasError):
    """The API answered 429: asking again later works (a poller waits longer instead of giving up)."""


PARSER_MISSING = ("RIPE Atlas results are read with ripe.atlas.sagan, which is not installed here: "
                  "pip install 'tuitrace[atlas]'")


def require_parser() -> None:
    """``AtlasError`` (one line, how to get it) unless the parser is installed. It is an extra, not a
    dependency: it is GPL-3.0 and tuitrace is MIT, so a plain install does not pull it in. Checked before
    anything is asked of the API, so a measurement is never created that could not be read."""
    try:
        found = importlib.util.find_spec("ripe.atlas.sagan") is not None
    except ImportError:  # no ``ripe`` package at all
        found = False
    if not found:
        raise AtlasError(PARSER_MISSING)


@dataclass(frozen=True, slots=True)
class ProbeInfo:
    """What the API's ``/probes/`` says about one Atlas probe (``None``: not known)."""

    probe_id: int
    country: str | None = None
    asn: int | None = None

    @property
    def place(self) -> str:
        """``NL AS3333``, with ``?`` for what is not known."""
        return f"{self.country or '?'} {'?' if self.asn is None else f'AS{self.asn}'}"


@dataclass(slots=True)
class AtlasTrace:
    """Every round one Atlas probe ran toward one target (filled while reading, then left alone)."""

    probe_id: int
    measurement_id: int | None
    target: str
    target_name: str
    family: int
    setting: Setting
    source: str | None
    rounds: list[tuple[ProbeResult, ...]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    """Each round's start as a Unix time (the record's ``timestamp``)."""
    ended: float = 0.0
    late: int = 0
    duplicates: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AtlasResults:
    traces: tuple[AtlasTrace, ...]
    dropped: int
    """Records that were not traceroute results or could not be parsed."""


def records(data: bytes | str) -> Iterator[Any]:
    """The records of a results document: a JSON list, one object, or one object per line."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            document = json.loads(stripped)
        except ValueError:
            document = None
        if isinstance(document, list):
            yield from document
            return
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError:
            yield None  # counted as dropped


def parse_results(data: bytes | str, port: int | None = None) -> AtlasResults:
    """Every traceroute record of ``data``, grouped per Atlas probe (and target) in the order first seen.

    ``port`` is the measurement's destination port when known (TCP); records that are no traceroute or do
    not parse are counted in ``dropped``."""
    require_parser()
    from ripe.atlas.sagan import TracerouteResult  # 0.7 s to import: only when Atlas data is read

    traces: dict[tuple[int, str], AtlasTrace] = {}
    dropped = 0
    for count, record in enumerate(records(data)):
        if count >= MAX_RESULTS:
            dropped += 1
            continue
        if not isinstance(record, dict) or record.get("type", "traceroute") != "traceroute":
            dropped += 1
            continue
        try:
            result = TracerouteResult(record, on_error=TracerouteResult.ACTION_IGNORE,
                                      on_malformation=TracerouteResult.ACTION_IGNORE)
        except Exception:  # a third-party parser on untrusted input: whatever it raises, count and drop
            dropped += 1
            continue
        trace = _trace_for(result, traces, port)
        if trace is None:
            dropped += 1
            continue
        _add_round(trace, result)
    return AtlasResults(tuple(traces.values()), dropped)


def _address(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > 45:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _setting(protocol: object, port: int | None) -> Setting | None:
    match protocol:
        case "ICMP" | None:
            return Setting(Protocol.ICMP, None)
        case "UDP":
            return Setting(Protocol.UDP, None)  # Atlas varies the port per probe, as classic traceroute
        case "TCP":
            return Setting(Protocol.TCP, port or TCP_DEFAULT_PORT)
    return None


def _trace_for(result: Any, traces: dict[tuple[int, str], AtlasTrace], port: int | None) -> AtlasTrace | None:
    probe_id, target, family = result.probe_id, _address(result.destination_address), result.af
    setting = _setting(result.protocol, port)
    if not isinstance(probe_id, int) or probe_id < 0 or target is None or setting is None:
        return None
    if family not in (4, 6) or ipaddress.ip_address(target).version != family:
        return None
    trace = traces.get((probe_id, target))
    if trace is None:
        name = result.destination_name
        trace = traces[(probe_id, target)] = AtlasTrace(
            probe_id=probe_id,
            measurement_id=result.measurement_id if isinstance(result.measurement_id, int) else None,
            target=target,
            target_name=inert_text(name) if isinstance(name, str) and name else target,
            family=family,
            setting=setting,
            source=_address(result.origin),
        )
    return trace


def _add_round(trace: AtlasTrace, result: Any) -> None:
    number = len(trace.rounds)
    created = result.created.timestamp() if result.created is not None else 0.0
    ended = result.end_time.timestamp() if result.end_time is not None else created
    top_error = result.raw_data.get("error")
    if isinstance(top_error, str):
        _note_error(trace, top_error)
    probes: list[ProbeResult] = []
    serial = sum(map(len, trace.rounds))
    for hop in result.hops:
        ttl = hop.index
        if not isinstance(ttl, int) or not 1 <= ttl <= MAX_HOP:
            continue
        raw = hop.raw_data.get("result")
        if isinstance(hop.raw_data.get("error"), str):
            _note_error(trace, hop.raw_data["error"])
        if isinstance(raw, list):
            trace.late += sum(1 for packet in raw if isinstance(packet, dict) and "late" in packet)
        for packet in hop.packets:
            probe = _probe(trace, packet, ttl, number, serial + len(probes))
            if probe is not None:
                probes.append(probe)
    trace.rounds.append(tuple(probes))
    trace.times.append(created)
    trace.ended = max(trace.ended, ended, created)


def _note_error(trace: AtlasTrace, text: str) -> None:
    clean = inert_text(text)
    if clean not in trace.errors and len(trace.errors) < MAX_ERRORS:
        trace.errors.append(clean)


def _probe(trace: AtlasTrace, packet: Any, ttl: int, number: int, serial: int) -> ProbeResult | None:
    raw: Mapping[str, Any] = packet.raw_data if isinstance(packet.raw_data, dict) else {}
    if "error" in raw:
        _note_error(trace, str(raw["error"]))
        return None
    if raw.get("dup"):
        trace.duplicates += 1
        return None
    key = serial % KEY_SPACE
    if raw.get("x") == "*" or packet.origin is None:
        return ProbeResult(key, trace.setting, ttl, number, Outcome.LOST)
    responder = _address(packet.origin)
    rtt = packet.rtt
    if responder is None or not isinstance(rtt, float) or not 0.0 <= rtt <= MAX_RTT_MS:
        trace.dropped += 1
        return None
    reply_ttl = packet.ttl if isinstance(packet.ttl, int) and 0 < packet.ttl < 256 else None
    mtu = raw.get("mtu")
    annotation, outcome = _meaning(trace, raw.get("err"), responder, mtu if isinstance(mtu, int) else None)
    return ProbeResult(key, trace.setting, ttl, number, outcome, responder, round(rtt * 1_000_000),
                       annotation, reply_ttl, tuple(_mpls(packet)))


def _meaning(trace: AtlasTrace, err: object, responder: str, mtu: int | None) -> tuple[str | None, Outcome]:
    """The annotation and outcome of a reply with Atlas's ``err`` field (or none): a number is the ICMP
    destination-unreachable code, marked as for a reply of our own (:mod:`tuitrace.probe.annotate`)."""
    from_target = responder == trace.target
    if err is None:
        return None, Outcome.REACHED if from_target else Outcome.TIME_EXCEEDED
    if err == "p" or (isinstance(err, int) and err == ICMP_BY_FAMILY[trace.family].port_unreachable):
        return (None, Outcome.REACHED) if from_target else ("!P", Outcome.UNREACHABLE)
    if isinstance(err, str) and err in _ERR_ANNOTATION:
        return _ERR_ANNOTATION[err], Outcome.UNREACHABLE
    if isinstance(err, int) and 0 <= err < 256:
        return unreachable_mark(trace.family, err, mtu), Outcome.UNREACHABLE
    return "!?", Outcome.UNREACHABLE


def _mpls(packet: Any) -> Iterable[MplsLabel]:
    """The label stack of an RFC 4950 extension object (class 1) in ``icmpext``, outermost first."""
    header = packet.icmp_header
    objects = header.objects if header is not None else None
    for obj in objects if isinstance(objects, list) else ():
        if not isinstance(obj, dict) or obj.get("class") != 1 or not isinstance(obj.get("mpls"), list):
            continue
        for entry in obj["mpls"][:8]:
            values = [entry.get(name) if isinstance(entry, dict) else None
                      for name in ("label", "exp", "s", "ttl")]
            if all(isinstance(v, int) for v in values):
                label, exp, bottom, ttl = (int(v) for v in values)  # type: ignore[arg-type]
                if 0 <= label < 1 << 20 and 0 <= exp < 8 and 0 <= ttl < 256:
                    yield MplsLabel(label, exp, bool(bottom), ttl)
