"""What an ICMP error says about our probe.

A router that drops a probe quotes its IP header and at least the first 8 bytes of what followed. Those bytes
— ports, TCP sequence number, ICMP id/seq, UDP length and checksum, IP id — are the only trustworthy way to
match a reply to the probe that caused it, so this module turns a quote into one flat value with every field
a matcher might key on, whatever protocol the probe used.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tuitrace.packet.address import v6_text
from tuitrace.packet.constants import ICMP_BY_FAMILY, IpProtocol
from tuitrace.packet.errors import PacketError, require_length
from tuitrace.packet.ipv4 import ipv4_essentials
from tuitrace.packet.ipv6 import HEADER_LENGTH as IPV6_HEADER_LENGTH
from tuitrace.packet.ipv6 import walk_extension_headers

QUOTED_TRANSPORT_LENGTH = 8
"""RFC 792: routers quote at least the first 8 bytes after the IP header."""
_EIGHT = struct.Struct("!HHI")
_UDP, _TCP = int(IpProtocol.UDP), int(IpProtocol.TCP)
_ICMP = {family: numbers.protocol for family, numbers in ICMP_BY_FAMILY.items()}


@dataclass(frozen=True, slots=True)
class Quote:
    family: int
    """4 or 6."""
    protocol: int
    """The quoted packet's protocol: 1 (ICMP), 6 (TCP), 17 (UDP) or 58 (ICMPv6)."""
    src: str
    dst: str
    ttl: int
    """The quoted TTL / hop limit: what was left when the packet was dropped, often 0 or 1."""
    ip_id: int
    """IPv4 identification; 0 for IPv6."""
    sport: int = 0
    dport: int = 0
    udp_length: int = 0
    checksum: int = 0
    """The UDP checksum (Paris traceroute identifies probes by it); 0 if not UDP."""
    tcp_seq: int = 0
    icmp_type: int = 0
    icmp_code: int = 0
    icmp_id: int = 0
    icmp_seq: int = 0


def _network_part(family: int, quoted: bytes) -> tuple[int, str, str, int, int, bytes]:
    """(protocol, src, dst, ttl, ip_id, transport bytes) of a quoted IPv4 or IPv6 packet."""
    if family == 4:
        header = ipv4_essentials(quoted)
        if header.fragment_offset:
            raise PacketError("quoted IPv4 packet is a non-first fragment")
        # Routers do not always quote a truthful total length, and RFC 4884 pads the quote: the transport
        # header simply starts after the IP header.
        transport = quoted[header.header_length :]
        return header.protocol, header.src, header.dst, header.ttl, header.ident, transport
    if family == 6:
        require_length(quoted, IPV6_HEADER_LENGTH, "quoted IPv6 header")
        version = quoted[0] >> 4
        if version != 6:
            raise PacketError(f"quoted IPv6 header: version is {version}")
        protocol, offset, _, fragment_offset = walk_extension_headers(quoted, quoted[6])
        if fragment_offset:
            raise PacketError("quoted IPv6 packet is a non-first fragment")
        src = v6_text(bytes(quoted[8:24]))
        dst = v6_text(bytes(quoted[24:40]))
        return protocol, src, dst, quoted[7], 0, quoted[offset:]
    raise PacketError(f"address family {family} is neither 4 nor 6")


def parse_quote(family: int, quoted: bytes) -> Quote:
    """Parse an ICMP error body: the original IP header, then at least 8 bytes of its transport header."""
    protocol, src, dst, ttl, ip_id, transport = _network_part(family, quoted)
    if len(transport) < QUOTED_TRANSPORT_LENGTH:
        require_length(transport, QUOTED_TRANSPORT_LENGTH, "quoted transport header")
    first, second, third = _EIGHT.unpack_from(transport)
    # Positional arguments, in field order: this runs for every ICMP error received.
    if protocol == _UDP:
        return Quote(family, protocol, src, dst, ttl, ip_id, first, second, third >> 16, third & 0xFFFF)
    if protocol == _TCP:
        return Quote(family, protocol, src, dst, ttl, ip_id, first, second, 0, 0, third)
    if protocol == _ICMP[family]:
        icmp_fields = (first >> 8, first & 0xFF, third >> 16, third & 0xFFFF)
        return Quote(family, protocol, src, dst, ttl, ip_id, 0, 0, 0, 0, 0, *icmp_fields)
    raise PacketError(f"quoted protocol {protocol} is not one a probe uses")
