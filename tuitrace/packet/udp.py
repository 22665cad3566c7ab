"""UDP datagrams (RFC 768): the classic traceroute probe and the port-unreachable that ends a UDP trace."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tuitrace.packet.checksum import transport_checksum
from tuitrace.packet.constants import IpProtocol
from tuitrace.packet.errors import check_field, require_length

HEADER_LENGTH = 8
_HEADER = struct.Struct("!HHHH")


@dataclass(frozen=True, slots=True)
class UdpHeader:
    sport: int
    dport: int
    length: int
    checksum: int


def parse_udp(data: bytes) -> tuple[UdpHeader, bytes]:
    """Parse a UDP header; the payload is cut to ``length`` when that is sane, else all remaining bytes."""
    require_length(data, HEADER_LENGTH, "UDP header")
    header = UdpHeader(*_HEADER.unpack_from(data))
    end = header.length if header.length >= HEADER_LENGTH else len(data)
    return header, bytes(data[HEADER_LENGTH:end])


def build_udp(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    """A UDP datagram with its checksum over the v4 or v6 pseudo-header (a computed 0 is sent as 0xFFFF)."""
    check_field("sport", sport, 16)
    check_field("dport", dport, 16)
    length = HEADER_LENGTH + len(payload)
    check_field("length", length, 16)
    datagram = _HEADER.pack(sport, dport, length, 0) + payload
    checksum = transport_checksum(src, dst, IpProtocol.UDP, datagram) or 0xFFFF
    return _HEADER.pack(sport, dport, length, checksum) + payload
