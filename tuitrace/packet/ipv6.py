"""IPv6 headers (RFC 8200): building probes and reading the headers that ICMPv6 errors quote.

Parsing walks the extension headers a router may leave in a quote (hop-by-hop, routing, fragment, destination
options) so callers always see the upper-layer protocol and its bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tuitrace.packet.address import packed_v, v6_text
from tuitrace.packet.constants import IpProtocol
from tuitrace.packet.errors import PacketError, check_field, require_length

HEADER_LENGTH = 40
HOP_BY_HOP = int(IpProtocol.HOP_BY_HOP)
ROUTING = int(IpProtocol.ROUTING)
FRAGMENT = int(IpProtocol.FRAGMENT)
DESTINATION_OPTIONS = int(IpProtocol.DESTINATION_OPTIONS)
EXTENSION_HEADERS = frozenset({HOP_BY_HOP, ROUTING, FRAGMENT, DESTINATION_OPTIONS})
_FRAGMENT_LENGTH = 8
_HEADER = struct.Struct("!IHBB16s16s")


@dataclass(frozen=True, slots=True)
class IPv6Header:
    traffic_class: int
    flow_label: int
    payload_length: int
    next_header: int
    """The upper-layer protocol, after any extension headers."""
    hop_limit: int
    src: str
    dst: str
    extension_headers: tuple[int, ...] = ()
    """The extension header types skipped, in order."""
    fragment_offset: int = 0
    """In 8-byte units, from a fragment header; non-zero means the upper-layer header is not here."""


def walk_extension_headers(data: bytes, next_header: int) -> tuple[int, int, tuple[int, ...], int]:
    """Walk the extension headers after the fixed header, whose Next Header field is *next_header*.

    Returns the upper-layer protocol, the offset of its header in *data*, the extension header types seen
    and the fragment offset (8-byte units) of a fragment header, 0 if none.
    """
    offset = HEADER_LENGTH
    seen: list[int] = []
    fragment_offset = 0
    while next_header in EXTENSION_HEADERS:
        require_length(data, offset + 2, "IPv6 extension header")
        if next_header == FRAGMENT:
            require_length(data, offset + _FRAGMENT_LENGTH, "IPv6 fragment header")
            fragment_offset = struct.unpack_from("!H", data, offset + 2)[0] >> 3
            length = _FRAGMENT_LENGTH
        else:
            length = (data[offset + 1] + 1) * 8
            require_length(data, offset + length, "IPv6 extension header")
        seen.append(next_header)
        next_header = data[offset]
        offset += length
    return next_header, offset, tuple(seen), fragment_offset


def parse_ipv6(data: bytes) -> tuple[IPv6Header, bytes]:
    """Parse an IPv6 header and its extension headers; return it and the upper-layer bytes.

    The bytes are cut to ``payload_length`` when that is non-zero (zero is a jumbogram or a bogus quote:
    then everything that arrived is used). A quote shorter than ``payload_length`` is not an error.
    """
    require_length(data, HEADER_LENGTH, "IPv6 header")
    first_word, payload_length, next_header, hop_limit, src, dst = _HEADER.unpack_from(data)
    version = first_word >> 28
    if version != 6:
        raise PacketError(f"IPv6 header: version is {version}")
    upper, offset, seen, fragment_offset = walk_extension_headers(data, next_header)
    header = IPv6Header(
        traffic_class=(first_word >> 20) & 0xFF,
        flow_label=first_word & 0xFFFFF,
        payload_length=payload_length,
        next_header=upper,
        hop_limit=hop_limit,
        src=v6_text(bytes(src)),
        dst=v6_text(bytes(dst)),
        extension_headers=seen,
        fragment_offset=fragment_offset,
    )
    end = HEADER_LENGTH + payload_length if payload_length else len(data)
    return header, bytes(data[offset:end])


def build_ipv6(
    src: str,
    dst: str,
    next_header: int,
    payload: bytes,
    *,
    hop_limit: int,
    traffic_class: int = 0,
    flow_label: int = 0,
) -> bytes:
    """An IPv6 packet. *payload* starts with any extension headers; *next_header* names the first of them."""
    for name, value, bits in (
        ("next_header", next_header, 8),
        ("hop_limit", hop_limit, 8),
        ("traffic_class", traffic_class, 8),
        ("flow_label", flow_label, 20),
        ("payload_length", len(payload), 16),
    ):
        check_field(name, value, bits)
    first_word = 6 << 28 | traffic_class << 20 | flow_label
    source = packed_v(src, 6)
    destination = packed_v(dst, 6)
    return _HEADER.pack(first_word, len(payload), next_header, hop_limit, source, destination) + payload


def fragment_header(next_header: int, *, offset: int = 0, more: bool = False, ident: int = 0) -> bytes:
    """An 8-byte fragment extension header (*offset* in 8-byte units)."""
    check_field("next_header", next_header, 8)
    check_field("offset", offset, 13)
    check_field("ident", ident, 32)
    return struct.pack("!BxHI", next_header, offset << 3 | int(more), ident)


def options_header(next_header: int, options: bytes = b"") -> bytes:
    """A hop-by-hop or destination options header carrying *options*, padded with PadN to 8-byte units."""
    check_field("next_header", next_header, 8)
    padding = -(2 + len(options)) % 8
    if padding == 1:
        pad = b"\x00"  # Pad1
    elif padding:
        pad = bytes((1, padding - 2)) + bytes(padding - 2)  # PadN
    else:
        pad = b""
    body = options + pad
    length_units = (2 + len(body)) // 8 - 1
    check_field("header length", length_units, 8)
    return bytes((next_header, length_units)) + body
