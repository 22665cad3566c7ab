"""ICMP for IPv4 (RFC 792) and ICMPv6 (RFC 4443): echo probes, and the errors that make traceroute work.

The error builder exists for tests and the simulated network: it wraps a quoted probe the way a router does,
including the RFC 4884 layout (original datagram padded to 128 bytes, then an extension structure) that
routers use to report MPLS labels.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tuitrace.packet.checksum import internet_checksum, transport_checksum
from tuitrace.packet.constants import Icmp4Type, Icmp6Type, IpProtocol
from tuitrace.packet.errors import check_field, require_length

HEADER_LENGTH = 8
RFC4884_MIN_ORIGINAL = 128
"""RFC 4884: with an extension structure, the original datagram is zero-padded to at least 128 bytes."""
_HEADER = struct.Struct("!BBHI")
_ECHO = struct.Struct("!BBHHH")


@dataclass(frozen=True, slots=True)
class IcmpHeader:
    type: int
    code: int
    checksum: int
    rest: int
    """The 32-bit word after the checksum: echo ident/seq, next-hop MTU, RFC 4884 length, pointer..."""


def parse_icmp(data: bytes) -> tuple[IcmpHeader, bytes]:
    """Parse the 8-byte ICMP/ICMPv6 header; return it and the message body after it."""
    require_length(data, HEADER_LENGTH, "ICMP header")
    return IcmpHeader(*_HEADER.unpack_from(data)), bytes(data[HEADER_LENGTH:])


def _finish(message: bytes, *, v6: bool, src: str | None, dst: str | None) -> bytes:
    """Insert the checksum into *message* (built with a zero checksum)."""
    if not v6:
        checksum = internet_checksum(message)
    elif src is not None and dst is not None:
        checksum = transport_checksum(src, dst, IpProtocol.ICMPV6, message)
    else:
        return message  # raw ICMPv6 sockets: the kernel fills the checksum in
    return message[:2] + struct.pack("!H", checksum) + message[4:]


def build_echo(
    *,
    v6: bool,
    ident: int,
    seq: int,
    payload: bytes = b"",
    reply: bool = False,
    src: str | None = None,
    dst: str | None = None,
) -> bytes:
    """An echo request (or reply). ICMPv6 gets a checksum only when *src* and *dst* are both given."""
    check_field("ident", ident, 16)
    check_field("seq", seq, 16)
    kind: int
    if v6:
        kind = Icmp6Type.ECHO_REPLY if reply else Icmp6Type.ECHO_REQUEST
    else:
        kind = Icmp4Type.ECHO_REPLY if reply else Icmp4Type.ECHO_REQUEST
    message = _ECHO.pack(kind, 0, 0, ident, seq) + payload
    return _finish(message, v6=v6, src=src, dst=dst)


def _rfc4884_layout(quoted: bytes, extension: bytes, *, v6: bool, type: int) -> tuple[bytes, int]:
    """Pad the original datagram for an appended extension; return it and the length attribute's bits."""
    if not extension:
        return quoted, 0
    unit = 8 if v6 else 4
    padded_length = max(RFC4884_MIN_ORIGINAL, len(quoted) + -len(quoted) % unit)
    padded = quoted + bytes(padded_length - len(quoted))
    words = padded_length // unit
    check_field("RFC 4884 length", words, 8)
    if v6:
        if type not in (Icmp6Type.DEST_UNREACH, Icmp6Type.TIME_EXCEEDED):
            raise ValueError(f"ICMPv6 type {type} carries no RFC 4884 extension")
        return padded, words << 24
    if type not in (Icmp4Type.DEST_UNREACH, Icmp4Type.TIME_EXCEEDED, Icmp4Type.PARAM_PROBLEM):
        raise ValueError(f"ICMP type {type} carries no RFC 4884 extension")
    return padded, words << 16


def build_icmp_error(
    *,
    v6: bool,
    type: int,
    code: int,
    quoted: bytes,
    mtu: int = 0,
    src: str | None = None,
    dst: str | None = None,
    extension: bytes = b"",
) -> bytes:
    """An ICMP error quoting *quoted* (the start of the offending packet, IP header first).

    *mtu* goes where the next-hop MTU lives: the low 16 bits of the word after the checksum for an ICMPv4
    fragmentation-needed, the whole word for an ICMPv6 packet-too-big. A non-empty *extension* (an RFC 4884
    extension structure) pads the quote to 128 bytes, sets the length attribute and is appended.
    """
    check_field("type", type, 8)
    check_field("code", code, 8)
    check_field("mtu", mtu, 32 if v6 else 16)
    body, length_bits = _rfc4884_layout(quoted, extension, v6=v6, type=type)
    message = _HEADER.pack(type, code, 0, mtu | length_bits) + body + extension
    return _finish(message, v6=v6, src=src, dst=dst)
