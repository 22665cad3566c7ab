"""The seam between the tracer and the world: a ``Network`` sends probes and hands back what arrived.

Back-ends: raw sockets (``rawnet``), unprivileged sockets, and a simulated network for tests (``simnet``).
Received packets are decoded here, in one place, so that everything that does not parse is counted and
dropped the same way whoever delivered it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from tuitrace.config import Mode, Setting
from tuitrace.packet.errors import PacketError
from tuitrace.packet.incoming import parse_icmp4_message, parse_icmp6_message, parse_tcp_segment
from tuitrace.packet.ipv4 import ipv4_essentials
from tuitrace.probe.types import LocalIdentity, Probe, Reply

_IPPROTO_ICMP = 1
_IPPROTO_TCP = 6


class Layer(enum.Enum):
    """What a received buffer starts with."""

    ICMP4_IP = "icmp4+ip"
    """An IPv4 packet carrying ICMP (IPv4 raw sockets include the IP header)."""
    TCP4_IP = "tcp4+ip"
    ICMP6 = "icmp6"
    """An ICMPv6 message; source and hop limit come from the socket (IPv6 raw sockets strip the header)."""
    TCP6 = "tcp6"


@dataclass(frozen=True, slots=True)
class Received:
    data: bytes
    layer: Layer
    rx_ns: int
    source: str = ""
    hop_limit: int | None = None


class Network(Protocol):
    @property
    def family(self) -> int: ...

    @property
    def mode(self) -> Mode: ...

    @property
    def identity(self) -> LocalIdentity: ...

    def now_ns(self) -> int:
        """The clock that send and receive timestamps are on."""

    def prepare(self, setting: Setting) -> None:
        """Open whatever the setting needs (a receive socket for TCP...) before its first probe."""

    def send(self, probe: Probe) -> int:
        """Send one probe; returns its transmit timestamp. Raises ``OSError`` when the stack refuses."""

    def receive(self, timeout: float) -> list[Received | Reply]:
        """Wait up to ``timeout`` seconds for packets; return every one that is waiting."""

    def wake(self) -> None:
        """Make a ``receive`` in another thread return at once (thread-safe)."""

    def close(self) -> None: ...


def decode(received: Received) -> Reply | None:
    """Decode a received buffer; ``None`` for a valid packet that cannot answer a probe (echo requests,
    router advertisements...). Raises ``PacketError`` for anything malformed."""
    layer = received.layer
    if layer is _ICMP4_IP or layer is _TCP4_IP:
        data = received.data
        header = ipv4_essentials(data)
        payload = data[header.header_length : header.payload_end]
        if header.fragment_offset:
            raise PacketError("a non-first IPv4 fragment cannot carry a reply")
        if layer is _ICMP4_IP:
            if header.protocol != _IPPROTO_ICMP:
                raise PacketError("not ICMP")
            icmp = parse_icmp4_message(payload)
            return None if icmp is None else Reply(header.src, received.rx_ns, header.ttl, icmp)
        if header.protocol != _IPPROTO_TCP:
            raise PacketError("not TCP")
        return Reply(header.src, received.rx_ns, header.ttl, parse_tcp_segment(payload))
    if layer is _ICMP6:
        icmp6 = parse_icmp6_message(received.data)
        return None if icmp6 is None else Reply(received.source, received.rx_ns, received.hop_limit, icmp6)
    return Reply(received.source, received.rx_ns, received.hop_limit, parse_tcp_segment(received.data))


# Enum members are properties of their class in Python 3.11: plain names are cheaper on the hot path.
_ICMP4_IP, _TCP4_IP, _ICMP6 = Layer.ICMP4_IP, Layer.TCP4_IP, Layer.ICMP6
