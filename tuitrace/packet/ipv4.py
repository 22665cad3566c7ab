"""IPv4 headers (RFC 791): building probes for raw sockets and reading the headers that ICMP errors quote.

Parsing is lenient where real routers are sloppy — the header checksum is not verified and a quoted
``total_length`` larger than what arrived is accepted, because ICMP errors often quote only the first bytes
of our probe — but strict about anything that would make the fields meaningless.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import NamedTuple

from tuitrace.packet.address import packed_v, v4_text
from tuitrace.packet.checksum import internet_checksum
from tuitrace.packet.errors import PacketError, check_field, require_length

MIN_HEADER_LENGTH = 20
MAX_HEADER_LENGTH = 60
_DONT_FRAGMENT = 0x4000
_MORE_FRAGMENTS = 0x2000
_OFFSET_MASK = 0x1FFF
_HEADER = struct.Struct("!BBHHHBBH4s4s")


@dataclass(frozen=True, slots=True)
class IPv4Header:
    tos: int
    total_length: int
    ident: int
    dont_fragment: bool
    ttl: int
    protocol: int
    checksum: int
    src: str
    dst: str
    header_length: int
    """In bytes: 20 plus any options."""
    more_fragments: bool = False
    fragment_offset: int = 0
    """In 8-byte units, as on the wire."""
    options: bytes = b""


class Essentials(NamedTuple):
    """What the receive path needs from an IPv4 header, without building an ``IPv4Header``."""

    header_length: int
    payload_end: int
    protocol: int
    ttl: int
    ident: int
    fragment_offset: int
    src: str
    dst: str


def ipv4_essentials(data: bytes) -> Essentials:
    """Check an IPv4 header and return its essential fields (the hot path of every received packet).

    The payload ends at ``total_length`` when that is at least the header length; otherwise (a bogus
    length) it runs to the end of the data. A quote shorter than ``total_length`` is not an error.
    """
    size = len(data)
    if size < MIN_HEADER_LENGTH:  # checks inline: this runs twice for every ICMP error received
        require_length(data, MIN_HEADER_LENGTH, "IPv4 header")
    version_ihl, _, total_length, ident, flags_offset, ttl, protocol, _, src, dst = _HEADER.unpack_from(data)
    if version_ihl >> 4 != 4:
        raise PacketError(f"IPv4 header: version is {version_ihl >> 4}")
    header_length = (version_ihl & 0x0F) * 4
    if header_length < MIN_HEADER_LENGTH:
        raise PacketError(f"IPv4 header: header length {header_length} is below {MIN_HEADER_LENGTH}")
    if size < header_length:
        require_length(data, header_length, "IPv4 header with options")
    end = total_length if total_length >= header_length else size
    return Essentials(
        header_length, end, protocol, ttl, ident, flags_offset & _OFFSET_MASK, v4_text(src), v4_text(dst)
    )


def parse_ipv4(data: bytes) -> tuple[IPv4Header, bytes]:
    """Parse an IPv4 header; return it and the bytes after it (cut as ``ipv4_essentials`` says)."""
    essentials = ipv4_essentials(data)
    _, tos, total_length, _, flags_offset, _, _, checksum, _, _ = _HEADER.unpack_from(data)
    header_length = essentials.header_length
    header = IPv4Header(
        tos=tos,
        total_length=total_length,
        ident=essentials.ident,
        dont_fragment=bool(flags_offset & _DONT_FRAGMENT),
        ttl=essentials.ttl,
        protocol=essentials.protocol,
        checksum=checksum,
        src=essentials.src,
        dst=essentials.dst,
        header_length=header_length,
        more_fragments=bool(flags_offset & _MORE_FRAGMENTS),
        fragment_offset=essentials.fragment_offset,
        options=bytes(data[MIN_HEADER_LENGTH:header_length]),
    )
    return header, bytes(data[header_length : essentials.payload_end])


def build_ipv4(
    src: str,
    dst: str,
    protocol: int,
    payload: bytes,
    *,
    ttl: int,
    ident: int = 0,
    tos: int = 0,
    dont_fragment: bool = False,
    options: bytes = b"",
) -> bytes:
    """An IPv4 packet with a correct header checksum. *options* must be a multiple of 4 bytes, at most 40."""
    if len(options) % 4 or len(options) > MAX_HEADER_LENGTH - MIN_HEADER_LENGTH:
        raise ValueError(f"IPv4 options must be a multiple of 4 bytes up to 40, got {len(options)}")
    for name, value, bits in (("protocol", protocol, 8), ("ttl", ttl, 8), ("ident", ident, 16)):
        check_field(name, value, bits)
    check_field("tos", tos, 8)
    header_length = MIN_HEADER_LENGTH + len(options)
    total_length = header_length + len(payload)
    check_field("total_length", total_length, 16)
    source = packed_v(src, 4)
    destination = packed_v(dst, 4)
    flags = _DONT_FRAGMENT if dont_fragment else 0
    fields = (0x40 | header_length // 4, tos, total_length, ident, flags, ttl, protocol)
    header = _HEADER.pack(*fields, 0, source, destination) + options
    checksum = internet_checksum(header)
    return _HEADER.pack(*fields, checksum, source, destination) + options + payload
