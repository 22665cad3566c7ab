"""Settings shared by every layer: what to trace and how.

Values here are plain frozen dataclasses so that the engine, the UI and the reports can pass them around
and compare them without caring who built them (the command line, a key press, a test).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

from tuitrace import defaults
from tuitrace.defaults import TCP_DEFAULT_PORT, UDP_BASE_PORT, UDP_FIXED_DEFAULT_PORT

__all__ = [
    "TCP_DEFAULT_PORT",
    "UDP_BASE_PORT",
    "UDP_FIXED_DEFAULT_PORT",
    "Mode",
    "Protocol",
    "Setting",
    "TraceConfig",
    "port_for",
    "smallest_probe",
]


class Protocol(enum.StrEnum):
    ICMP = "icmp"
    UDP = "udp"
    TCP = "tcp"


class Mode(enum.StrEnum):
    """How probes reach the network: raw sockets need CAP_NET_RAW; unprivileged ones do not."""

    RAW = "raw"
    UNPRIVILEGED = "unprivileged"
    SIMULATED = "simulated"


@dataclass(frozen=True, slots=True)
class Setting:
    """The part of the configuration that statistics are kept per: switching back shows earlier numbers."""

    protocol: Protocol
    port: int | None
    """Destination port; ``None`` for ICMP and for classic UDP (33434 + n per probe)."""

    @property
    def label(self) -> str:
        if self.protocol is Protocol.ICMP:
            return "ICMP"
        if self.port is None:
            return f"UDP {UDP_BASE_PORT}+n"
        return f"{self.protocol.value.upper()}/{self.port}"

    @property
    def fixed_flow(self) -> bool:
        """True when every probe of the trace has the same 5-tuple (Paris traceroute)."""
        return self.protocol is not Protocol.UDP or self.port is not None


def port_for(protocol: Protocol, user_port: int | None, *, fixed_udp: bool = False) -> int | None:
    """The destination port a protocol uses, given the port the user chose (``-p`` or the port key).

    The one port policy of tuitrace, for the command line and the app's protocol keys alike: ICMP has no
    port; a port the user chose wins; else TCP goes to 80, UDP to 53 when a fixed port was asked for
    (``-U``) and otherwise to 33434 + n, one port per probe (``None``: classic traceroute)."""
    if protocol is Protocol.ICMP:
        return None
    if user_port is not None:
        return user_port
    if protocol is Protocol.TCP:
        return TCP_DEFAULT_PORT
    return UDP_FIXED_DEFAULT_PORT if fixed_udp else None


_IP_HEADER = {4: 20, 6: 40}
_SMALLEST_SEGMENT = {Protocol.ICMP: 8 + 8, Protocol.UDP: 8 + 2, Protocol.TCP: 20}
"""The smallest probe after the IP header: an echo header and the 8-byte mark ``tuitrace``; a UDP header
and the two bytes that steer its checksum; a bare TCP SYN header (see ``probe/wire.py``; a test checks
that the bytes built there are these lengths)."""


def smallest_probe(protocol: Protocol, family: int) -> int:
    """The length of the smallest probe, IP header included (36 bytes for ICMP over IPv4)."""
    return _IP_HEADER.get(family, 20) + _SMALLEST_SEGMENT[protocol]


@dataclass(frozen=True, slots=True)
class TraceConfig:
    """Everything the engine needs to trace one target."""

    target: str
    """The address to probe (already resolved)."""
    family: int
    """4 or 6."""
    host: str = ""
    """What the user typed (name or address), for display."""
    setting: Setting = field(default_factory=lambda: Setting(Protocol.ICMP, None))
    first_ttl: int = defaults.FIRST_TTL
    max_ttl: int = defaults.MAX_TTL
    interval: float = defaults.INTERVAL_S
    """Seconds between the starts of two rounds."""
    sendwait: float = defaults.SENDWAIT_S
    """Seconds between two probes of one round."""
    wait: float = defaults.WAIT_S
    """Seconds after which an unanswered probe counts as lost."""
    count: int | None = None
    """Rounds to run; ``None`` runs until stopped."""
    source: str | None = None
    interface: str | None = None
    tos: int = defaults.TOS_VALUE
    packet_len: int = defaults.PACKET_LEN_BYTES
    """The probe's whole length in bytes, IP header included, as traceroute's ``packet_len``; a length
    below the protocol's smallest probe (0, say) sends the smallest probe. Kept across protocol switches:
    each protocol pads to the same length."""
    queries: int = defaults.QUERIES_VALUE
    """Probes to each TTL per round (traceroute's ``-q``)."""
    dont_fragment: bool = False
    """``-F``: probes carry Don't Fragment (IPv6: are never fragmented by this host)."""
    mtu_discovery: bool = False
    """``--mtu``: find the path MTU as traceroute does (implies ``dont_fragment``): probes start at the
    outgoing interface's MTU and shrink to what a router's fragmentation-needed / Packet Too Big says."""
    flows: int = 0
    """``--flows N``: N probes per TTL per round, each in a flow of its own (1..64); 0: ordinary probes."""
    mda_confidence: int | None = None
    """``--mda``: discover every path first (MDA) at this confidence (95 or 99), then trace its flows."""
    source_port: int | None = None
    """``--sport``: the source port of every UDP and TCP probe (TCP flows: this port and the ones after
    it); ``None``: a free port the kernel picks."""
    payload_len: int = field(init=False, default=0)
    """Filler bytes the current protocol needs to reach ``packet_len`` (set from the others)."""

    def __post_init__(self) -> None:
        # The user-facing bounds are checked where values are typed (tuitrace.defaults); here only what
        # the tracer's arithmetic needs, so a nan from anywhere fails loudly at once, not in int(nan * NS).
        if not (math.isfinite(self.interval) and self.interval > 0):
            raise ValueError(f"interval must be a positive finite number of seconds, not {self.interval}")
        if not (math.isfinite(self.wait) and self.wait > 0):
            raise ValueError(f"wait must be a positive finite number of seconds, not {self.wait}")
        if not (math.isfinite(self.sendwait) and self.sendwait >= 0):
            raise ValueError(f"sendwait must be a finite number of seconds ≥ 0, not {self.sendwait}")
        smallest = smallest_probe(self.setting.protocol, self.family)
        object.__setattr__(self, "payload_len", max(0, self.packet_len - smallest))
