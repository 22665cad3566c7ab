"""Values that flow through the tracer: probes out, replies in, results to the statistics.

``Probe``, ``Reply`` and ``ProbeResult`` are made for every probe sent, so they are named tuples: as
immutable as frozen dataclasses, but built in one step instead of one ``object.__setattr__`` per field.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

from tuitrace.config import Protocol, Setting
from tuitrace.packet.extensions import MplsLabel
from tuitrace.packet.incoming import EchoReply, IcmpError, TcpSegment

KEY_SPACE = 65534
"""Probe keys are 0..65533 (how a probe carries its key: :mod:`tuitrace.probe.identity`)."""


@dataclass(frozen=True, slots=True)
class LocalIdentity:
    """What makes our probes ours: chosen by the network back-end (it owns the sockets)."""

    icmp_id: int
    udp_port: int
    tcp_port: int
    source: str
    """Our source address toward the target (needed for UDP/TCP checksums)."""
    tcp_seq_base: int = 0
    tcp_ports: int = 1
    """How many consecutive source ports from ``tcp_port`` are ours (``--flows N``: one per TCP flow)."""


class Probe(NamedTuple):
    key: int
    ttl: int
    setting: Setting
    round: int
    target: str
    family: int
    dport: int
    """Destination port (0 for ICMP)."""
    tos: int = 0
    payload_len: int = 0
    flow: int = 0
    """``--flows``: which flow (1..N) the probe belongs to; 0 for an ordinary probe
    (:mod:`tuitrace.probe.flows`)."""


class ProbeId(NamedTuple):
    """Which probe a reply answers: its key, and the protocol and destination port it was sent with (a key
    alone could name a later probe after the key space wrapped, or one to another port)."""

    key: int
    protocol: Protocol
    dport: int


class Reply(NamedTuple):
    """Something that arrived and might answer one of our probes."""

    responder: str
    rx_ns: int
    reply_ttl: int | None
    message: EchoReply | IcmpError | TcpSegment | None
    """The decoded packet; ``None`` when a socket reported an answer without one (the target accepted or
    refused an unprivileged TCP connect)."""
    probe: ProbeId | None = None
    """The probe this answers when the back-end already knows it (an unprivileged socket, or the bytes its
    error queue returned, name it); ``None``: the matcher reads it from the message's identity fields."""


class Outcome(enum.StrEnum):
    TIME_EXCEEDED = "time-exceeded"
    """An intermediate router answered."""
    REACHED = "reached"
    """The destination answered (in any way)."""
    UNREACHABLE = "unreachable"
    """A router said the destination cannot be reached (annotated)."""
    LOST = "lost"


class ProbeResult(NamedTuple):
    key: int
    setting: Setting
    ttl: int
    round: int
    outcome: Outcome
    responder: str | None = None
    rtt_ns: int | None = None
    annotation: str | None = None
    reply_ttl: int | None = None
    mpls: tuple[MplsLabel, ...] = ()
    """The MPLS label stack the responder appended to its ICMP error (RFC 4950), if any."""
    flow: int = 0
    """The probe's flow (``--flows``: 1..N; 0 otherwise)."""

    @property
    def final(self) -> bool:
        """The path ends at this TTL: nothing beyond it can answer differently."""
        return self.outcome in (Outcome.REACHED, Outcome.UNREACHABLE)
