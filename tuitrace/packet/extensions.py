"""ICMP extension structures (RFC 4884) and the MPLS label stacks routers report in them (RFC 4950).

An MPLS core forwards on labels, so the routers inside it are invisible to plain IP traceroute unless they
append their label stack to the time-exceeded they send. mtr-style tools show those labels under the hop;
this module digs them out. Extensions are a bonus: a damaged one must never cost us the hop it arrived with,
which is why :mod:`tuitrace.packet.incoming` treats a failure here as "no labels".
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from tuitrace.packet.checksum import internet_checksum
from tuitrace.packet.constants import Icmp4Type, Icmp6Type
from tuitrace.packet.errors import PacketError, check_field, require_length
from tuitrace.packet.icmp import HEADER_LENGTH, RFC4884_MIN_ORIGINAL

EXTENSION_VERSION = 2
MPLS_CLASS = 1
MPLS_INCOMING_STACK = 1
_OBJECT_HEADER = struct.Struct("!HBB")
_V4_WITH_LENGTH = frozenset({Icmp4Type.DEST_UNREACH, Icmp4Type.TIME_EXCEEDED, Icmp4Type.PARAM_PROBLEM})
_V6_WITH_LENGTH = frozenset({Icmp6Type.DEST_UNREACH, Icmp6Type.TIME_EXCEEDED})


@dataclass(frozen=True, slots=True)
class MplsLabel:
    """One label stack entry: what the router saw on the packet it dropped."""

    label: int
    traffic_class: int
    """The 3 "EXP" bits."""
    bottom_of_stack: bool
    ttl: int


def build_mpls_extension(labels: Sequence[MplsLabel]) -> bytes:
    """An RFC 4884 extension structure holding one MPLS incoming label stack object, checksum included."""
    entries = b""
    for entry in labels:
        check_field("label", entry.label, 20)
        check_field("traffic_class", entry.traffic_class, 3)
        check_field("ttl", entry.ttl, 8)
        word = entry.label << 12 | entry.traffic_class << 9 | int(entry.bottom_of_stack) << 8 | entry.ttl
        entries += struct.pack("!I", word)
    body = _OBJECT_HEADER.pack(_OBJECT_HEADER.size + len(entries), MPLS_CLASS, MPLS_INCOMING_STACK) + entries
    unsummed = struct.pack("!BxH", EXTENSION_VERSION << 4, 0) + body
    return struct.pack("!BxH", EXTENSION_VERSION << 4, internet_checksum(unsummed)) + body


def _extension_offset(message: bytes, *, v6: bool) -> int | None:
    """Where the extension structure starts in an ICMP *message*, or None if it carries none."""
    kind = message[0]
    if kind not in (_V6_WITH_LENGTH if v6 else _V4_WITH_LENGTH):
        return None
    length = message[4] * 8 if v6 else message[5] * 4
    if length:
        return HEADER_LENGTH + length
    # Routers that predate RFC 4884 append the structure after exactly 128 bytes without saying so; accept
    # that only when what sits there checksums like an extension structure.
    offset = HEADER_LENGTH + RFC4884_MIN_ORIGINAL
    tail = message[offset:]
    if len(tail) >= 8 and tail[0] >> 4 == EXTENSION_VERSION and internet_checksum(tail) == 0:
        return offset
    return None


def parse_mpls_labels(message: bytes, *, v6: bool) -> tuple[MplsLabel, ...]:
    """The MPLS label stack an ICMP error (*message* starts at its ICMP header) reports; () if none.

    Raises :class:`PacketError` if an extension structure is announced but malformed.
    """
    require_length(message, HEADER_LENGTH, "ICMP header")
    offset = _extension_offset(message, v6=v6)
    if offset is None:
        return ()
    structure = message[offset:]
    require_length(structure, 4, "ICMP extension header")
    if structure[0] >> 4 != EXTENSION_VERSION:
        raise PacketError(f"ICMP extension structure: version is {structure[0] >> 4}")
    labels: list[MplsLabel] = []
    position = 4
    while position < len(structure):
        require_length(structure, position + _OBJECT_HEADER.size, "ICMP extension object header")
        length, class_num, c_type = _OBJECT_HEADER.unpack_from(structure, position)
        if length < _OBJECT_HEADER.size:
            raise PacketError(f"ICMP extension object: length {length} is below {_OBJECT_HEADER.size}")
        require_length(structure, position + length, "ICMP extension object")
        if class_num == MPLS_CLASS and c_type == MPLS_INCOMING_STACK:
            entries = structure[position + _OBJECT_HEADER.size : position + length]
            if len(entries) % 4:
                raise PacketError(f"MPLS label stack object: {len(entries)} bytes is not whole entries")
            for (word,) in struct.iter_unpack("!I", entries):
                labels.append(MplsLabel(word >> 12, (word >> 9) & 0x7, bool(word & 0x100), word & 0xFF))
        position += length
    return tuple(labels)
