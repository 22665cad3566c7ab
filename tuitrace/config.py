"""Settings shared by every layer: what to trace and how.

Values here are plain frozen dataclasses so that the engine, the UI and the reports can pass them around
and compare them without caring who built them (the command line, a key press, a test).
"""

from __future__ import annotations

import enum
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
    packet_size: int = defaults.PACKET_LEN_BYTES
    """Extra payload bytes after the protocol header (0 = the smallest probe that carries our identity)."""
