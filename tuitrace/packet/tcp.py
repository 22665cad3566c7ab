"""TCP segments (RFC 9293): the SYN probe, and the SYN-ACK or RST with which a target answers it."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tuitrace.packet.checksum import transport_checksum
from tuitrace.packet.constants import IpProtocol
from tuitrace.packet.errors import PacketError, check_field, require_length

MIN_HEADER_LENGTH = 20
MAX_OPTIONS_LENGTH = 40
FIN = 0x01
SYN = 0x02
RST = 0x04
PSH = 0x08
ACK = 0x10
URG = 0x20
_HEADER = struct.Struct("!HHIIBBHHH")
_MSS_KIND = 2


@dataclass(frozen=True, slots=True)
class TcpHeader:
    sport: int
    dport: int
    seq: int
    ack: int
    flags: int
    window: int
    checksum: int
    header_length: int
    """In bytes: 20 plus any options."""
    options: bytes = b""


def parse_tcp(data: bytes) -> TcpHeader:
    """Parse a complete TCP header (at least 20 bytes, and all the options its data offset announces)."""
    require_length(data, MIN_HEADER_LENGTH, "TCP header")
    sport, dport, seq, ack, offset_byte, flags, window, checksum, _urgent = _HEADER.unpack_from(data)
    header_length = (offset_byte >> 4) * 4
    if header_length < MIN_HEADER_LENGTH:
        raise PacketError(f"TCP header: data offset {header_length} is below {MIN_HEADER_LENGTH}")
    require_length(data, header_length, "TCP header with options")
    return TcpHeader(
        sport=sport,
        dport=dport,
        seq=seq,
        ack=ack,
        flags=flags,
        window=window,
        checksum=checksum,
        header_length=header_length,
        options=bytes(data[MIN_HEADER_LENGTH:header_length]),
    )


def mss_option(mss: int) -> bytes:
    """The 4-byte maximum segment size option, for callers that want their SYN to look ordinary."""
    check_field("mss", mss, 16)
    return struct.pack("!BBH", _MSS_KIND, 4, mss)


def build_tcp(
    src: str,
    dst: str,
    sport: int,
    dport: int,
    *,
    seq: int,
    ack: int = 0,
    flags: int = SYN,
    window: int = 65535,
    options: bytes = b"",
    payload: bytes = b"",
) -> bytes:
    """A TCP segment with a correct checksum. *options* are padded with zeros (end of list) to 4 bytes."""
    options += bytes(-len(options) % 4)
    if len(options) > MAX_OPTIONS_LENGTH:
        raise ValueError(f"TCP options are limited to {MAX_OPTIONS_LENGTH} bytes, got {len(options)}")
    for name, value, bits in (
        ("sport", sport, 16),
        ("dport", dport, 16),
        ("seq", seq, 32),
        ("ack", ack, 32),
        ("flags", flags, 8),
        ("window", window, 16),
    ):
        check_field(name, value, bits)
    offset_byte = (MIN_HEADER_LENGTH + len(options)) // 4 << 4
    fields = (sport, dport, seq, ack, offset_byte, flags, window)
    segment = _HEADER.pack(*fields, 0, 0) + options + payload
    checksum = transport_checksum(src, dst, IpProtocol.TCP, segment)
    return _HEADER.pack(*fields, checksum, 0) + options + payload
