"""Decoding what raw sockets deliver, in one place: the raw back-end and the simulated network both hand
their bytes to an ``Inbox``, so everything that does not parse, or certainly is not ours, is counted and
dropped the same way whoever delivered it, and the engine only ever sees ``Reply`` values.
"""

from __future__ import annotations

from tuitrace.packet.constants import IpProtocol
from tuitrace.packet.errors import PacketError
from tuitrace.packet.incoming import parse_icmp4_message, parse_icmp6_message, parse_tcp_segment
from tuitrace.packet.ipv4 import ipv4_essentials
from tuitrace.probe.network import Arrivals, Layer
from tuitrace.probe.prefilter import Prefilter
from tuitrace.probe.types import LocalIdentity, Reply


def decode(
    data: bytes, layer: Layer, rx_ns: int, source: str = "", hop_limit: int | None = None
) -> Reply | None:
    """Decode a received buffer; ``None`` for a valid packet that cannot answer a probe (echo requests,
    router advertisements...). Raises ``PacketError`` for anything malformed. ``source`` and ``hop_limit``
    come from the socket when the buffer has no IP header (IPv6)."""
    if layer is _ICMP4_IP or layer is _TCP4_IP:
        header = ipv4_essentials(data)
        payload = data[header.header_length : header.payload_end]
        if header.fragment_offset:
            raise PacketError("a non-first IPv4 fragment cannot carry a reply")
        if layer is _ICMP4_IP:
            if header.protocol != _ICMP:
                raise PacketError("not ICMP")
            icmp = parse_icmp4_message(payload)
            return None if icmp is None else Reply(header.src, rx_ns, header.ttl, icmp)
        if header.protocol != _TCP:
            raise PacketError("not TCP")
        return Reply(header.src, rx_ns, header.ttl, parse_tcp_segment(payload))
    if layer is _ICMP6:
        icmp6 = parse_icmp6_message(data)
        return None if icmp6 is None else Reply(source, rx_ns, hop_limit, icmp6)
    return Reply(source, rx_ns, hop_limit, parse_tcp_segment(data))


class Inbox:
    """Collects the replies among the packets of one ``receive``, and counts the rest."""

    __slots__ = ("_dropped", "_foreign", "_replies")

    def __init__(self, identity: LocalIdentity, family: int) -> None:
        self._foreign = Prefilter(identity, family).foreign
        self._replies: list[Reply] = []
        self._dropped = 0

    def add(
        self, data: bytes, layer: Layer, rx_ns: int, source: str = "", hop_limit: int | None = None
    ) -> None:
        if self._foreign(data, layer):
            self._dropped += 1
            return
        try:
            reply = decode(data, layer, rx_ns, source, hop_limit)
        except PacketError:
            self._dropped += 1
            return
        if reply is None:  # valid, but no answer to any probe (an echo request, a router advertisement)
            self._dropped += 1
        else:
            self._replies.append(reply)

    def take(self) -> Arrivals:
        """Everything added since the last ``take``."""
        arrivals = Arrivals(self._replies, self._dropped)
        self._replies = []
        self._dropped = 0
        return arrivals


_ICMP, _TCP = int(IpProtocol.ICMP), int(IpProtocol.TCP)
# Enum members are properties of their class in Python 3.11: plain names are cheaper on the hot path.
_ICMP4_IP, _TCP4_IP, _ICMP6 = Layer.ICMP4_IP, Layer.TCP4_IP, Layer.ICMP6
