"""Settings shared by every layer: what to trace and how.

Values here are plain frozen dataclasses so that the engine, the UI and the reports can pass them around
and compare them without caring who built them (the command line, a key press, a test).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

UDP_BASE_PORT = 33434
"""Classic traceroute: UDP probes go to 33434 + n, one port per probe."""
UDP_FIXED_DEFAULT_PORT = 53
TCP_DEFAULT_PORT = 80


class Protocol(enum.StrEnum):
    ICMP = "icmp"
    UDP = "udp"
    TCP = "tcp"


class Mode(enum.StrEnum):
    """How probes reach the network: raw sockets need CAP_NET_RAW; unprivileged ones do not."""

    RAW = "raw"
    UNPRIVILEGED = "unprivileged"
    SIMULATED = "simulated"


def parse_sendwait(value: float) -> float:
    """traceroute's ``-z``: a value above 10 means milliseconds, otherwise seconds. Returns seconds."""
    if value < 0:
        raise ValueError("sendwait must not be negative")
    return value / 1000.0 if value > 10 else value


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


def default_port(protocol: Protocol, *, fixed_udp: bool = False) -> int | None:
    if protocol is Protocol.TCP:
        return TCP_DEFAULT_PORT
    if protocol is Protocol.UDP and fixed_udp:
        return UDP_FIXED_DEFAULT_PORT
    return None


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
    first_ttl: int = 1
    max_ttl: int = 30
    interval: float = 1.0
    """Seconds between the starts of two rounds."""
    sendwait: float = 0.0
    """Seconds between two probes of one round."""
    wait: float = 2.0
    """Seconds after which an unanswered probe counts as lost."""
    count: int | None = None
    """Rounds to run; ``None`` runs until stopped."""
    source: str | None = None
    interface: str | None = None
    tos: int = 0
    packet_size: int = 0
    """Extra payload bytes after the protocol header (0 = the smallest probe that carries our identity)."""

    def with_setting(self, protocol: Protocol, port: int | None) -> TraceConfig:
        return replace(self, setting=Setting(protocol, port))
