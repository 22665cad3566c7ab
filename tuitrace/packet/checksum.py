"""Internet checksums (RFC 1071) and the pseudo-headers that UDP, TCP and ICMPv6 fold into theirs.

Also home of the Paris-traceroute trick: a UDP payload whose first two bytes steer the checksum to a chosen
value, so a probe can carry its identity in the checksum while the 5-tuple (and so the ECMP path) stays fixed.
"""

from __future__ import annotations

import struct
import sys

from tuitrace.packet.address import packed
from tuitrace.packet.constants import IpProtocol
from tuitrace.packet.errors import check_field

_LITTLE_ENDIAN = sys.byteorder == "little"
_UDP_HEADER_LENGTH = 8
PARIS_FILLER = b"tuitrace"
"""Bytes repeated after the two steering bytes of a Paris-traceroute UDP payload."""


def ones_complement_sum(data: bytes, initial: int = 0) -> int:
    """The 16-bit ones' complement sum of *data* (odd length padded with a zero byte), plus *initial*."""
    if len(data) % 2:
        data += b"\x00"
    # Summing native-order words and swapping the folded result gives the network-order sum (RFC 1071,
    # byte-order independence), at C speed.
    total = _fold(sum(memoryview(data).cast("B").cast("H")))
    if _LITTLE_ENDIAN:
        total = ((total & 0xFF) << 8) | (total >> 8)
    return _fold(total + initial)


def _fold(total: int) -> int:
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def internet_checksum(data: bytes, initial: int = 0) -> int:
    """RFC 1071 checksum of *data*: the ones' complement of the ones' complement sum of its 16-bit words.

    *initial* is a partial sum to start from (for example the sum of a pseudo-header). A buffer that already
    contains its correct checksum yields 0.
    """
    return ~ones_complement_sum(data, initial) & 0xFFFF


def _packed_pair(src: str, dst: str) -> tuple[bytes, bytes, int]:
    source, version = packed(src)
    destination, other = packed(dst)
    if version != other:
        raise ValueError(f"source {src} and destination {dst} are not of the same IP version")
    return source, destination, version


def pseudo_header(src: str, dst: str, protocol: int, length: int) -> bytes:
    """The pseudo-header that transport checksums cover: RFC 768 for IPv4, RFC 8200 section 8.1 for IPv6."""
    source, destination, version = _packed_pair(src, dst)
    check_field("protocol", protocol, 8)
    if version == 4:
        check_field("length", length, 16)
        return source + destination + struct.pack("!xBH", protocol, length)
    check_field("length", length, 32)
    return source + destination + struct.pack("!I3xB", length, protocol)


def transport_checksum(src: str, dst: str, protocol: int, segment: bytes) -> int:
    """Checksum of a UDP/TCP/ICMPv6 *segment* (its checksum field zero) including the pseudo-header."""
    return internet_checksum(pseudo_header(src, dst, protocol, len(segment)) + segment)


def udp_payload_for_checksum(  # noqa: PLR0917 - the tracer's agreed positional signature
    src: str, dst: str, sport: int, dport: int, wanted: int, payload_len: int
) -> bytes:
    """A UDP payload of *payload_len* bytes that makes the datagram's checksum exactly *wanted*.

    The payload is two steering bytes followed by :data:`PARIS_FILLER` repeated. With the steering bytes zero
    the datagram sums to ``S``; the checksum is the complement of the sum, so the steering word must bring the
    sum to ``~wanted``, i.e. it is ``~wanted - S`` in ones' complement arithmetic. Because *wanted* is neither
    0 nor 0xFFFF the target sum is never one of the two ones' complement zeros, so the result is exact.
    """
    if not 1 <= wanted <= 0xFFFE:
        raise ValueError(f"wanted checksum {wanted:#x} must be in 0x0001..0xFFFE")
    if payload_len < 2:
        raise ValueError(f"payload_len {payload_len} must be at least 2")
    check_field("sport", sport, 16)
    check_field("dport", dport, 16)
    filler = (PARIS_FILLER * (payload_len // len(PARIS_FILLER) + 1))[: payload_len - 2]
    length = _UDP_HEADER_LENGTH + payload_len
    header = struct.pack("!HHHH", sport, dport, length, 0)
    datagram = pseudo_header(src, dst, IpProtocol.UDP, length) + header + b"\x00\x00" + filler
    current = ones_complement_sum(datagram)
    target = ~wanted & 0xFFFF
    steering = ones_complement_sum(b"", target + (~current & 0xFFFF))
    return struct.pack("!H", steering) + filler
