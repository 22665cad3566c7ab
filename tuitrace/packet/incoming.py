"""Classify what arrives on a probing socket: an echo reply, an ICMP error about a probe, or a TCP answer.

Input is the ICMP message or TCP segment without its outer IP header (the caller strips the IPv4 header that
raw IPv4 sockets deliver; IPv6 raw sockets never deliver one). Valid messages that cannot concern a probe
(echo requests, router advertisements, redirects...) come back as ``None``; malformed ones raise
:class:`~tuitrace.packet.errors.PacketError`. ICMPv4 checksums are not verified: a reply with a bad checksum
still names a hop, and the quote, not the checksum, decides whether it is ours.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from tuitrace.packet.constants import ICMP4, ICMP6, Icmp4UnreachCode, Icmp6Type
from tuitrace.packet.errors import PacketError
from tuitrace.packet.extensions import MplsLabel, parse_mpls_labels
from tuitrace.packet.icmp import HEADER_LENGTH
from tuitrace.packet.quote import Quote, parse_quote
from tuitrace.packet.tcp import parse_tcp

# Plain ints, not enum members: these are compared for every packet received.
_ICMP4_ERRORS = ICMP4.errors
_ICMP6_ERRORS = ICMP6.errors
_ICMP4_ECHO_REPLY = ICMP4.echo_reply
_ICMP4_DEST_UNREACH = ICMP4.dest_unreach
_ICMP4_FRAG_NEEDED = int(Icmp4UnreachCode.FRAG_NEEDED)
_ICMP6_ECHO_REPLY = ICMP6.echo_reply
_ICMP6_PACKET_TOO_BIG = int(Icmp6Type.PACKET_TOO_BIG)
_ICMP_HEADER = struct.Struct("!BBHI")


# Named tuples rather than frozen dataclasses: one of these is built for every packet received.
class EchoReply(NamedTuple):
    ident: int
    seq: int


class IcmpError(NamedTuple):
    type: int
    code: int
    mtu: int | None
    """Next-hop MTU of an ICMPv4 fragmentation-needed or ICMPv6 packet-too-big (0 if the router left it
    out); ``None`` for every other error."""
    quote: Quote | None
    """The start of the probe as the router quoted it; ``None`` when the kernel kept the quote and said
    which probe the error is about instead (unprivileged sockets' error queues)."""
    mpls: tuple[MplsLabel, ...] = ()
    """MPLS label stack the router appended (RFC 4950); empty if none or if the extension was damaged."""


class TcpSegment(NamedTuple):
    sport: int
    dport: int
    seq: int
    ack: int
    flags: int


_SHORTEST_WITH_EXTENSION = 8 + 128


def _icmp_header(data: bytes) -> tuple[int, int, int]:
    """(type, code, rest) of the 8-byte ICMP/ICMPv6 header (as ``parse_icmp``, without building one)."""
    if len(data) < HEADER_LENGTH:
        raise PacketError(f"ICMP header: need {HEADER_LENGTH} bytes, got {len(data)}")
    kind, code, _, rest = _ICMP_HEADER.unpack_from(data)
    return kind, code, rest


def parse_icmp4_message(data: bytes) -> EchoReply | IcmpError | None:
    """Classify an ICMPv4 message (starting at the ICMP header)."""
    kind, code, rest = _icmp_header(data)
    if kind == _ICMP4_ECHO_REPLY:
        return EchoReply(rest >> 16, rest & 0xFFFF)
    if kind not in _ICMP4_ERRORS:
        return None
    mtu = rest & 0xFFFF if kind == _ICMP4_DEST_UNREACH and code == _ICMP4_FRAG_NEEDED else None
    quote = parse_quote(4, bytes(data[HEADER_LENGTH:]))
    return IcmpError(kind, code, mtu, quote, _labels(data, v6=False))


def parse_icmp6_message(data: bytes) -> EchoReply | IcmpError | None:
    """Classify an ICMPv6 message (starting at the ICMPv6 header)."""
    kind, code, rest = _icmp_header(data)
    if kind == _ICMP6_ECHO_REPLY:
        return EchoReply(rest >> 16, rest & 0xFFFF)
    if kind not in _ICMP6_ERRORS:
        return None
    mtu = rest if kind == _ICMP6_PACKET_TOO_BIG else None
    quote = parse_quote(6, bytes(data[HEADER_LENGTH:]))
    return IcmpError(kind, code, mtu, quote, _labels(data, v6=True))


def _labels(message: bytes, *, v6: bool) -> tuple[MplsLabel, ...]:
    if len(message) <= _SHORTEST_WITH_EXTENSION:
        return ()  # RFC 4884: an extension follows at least 128 bytes of original datagram
    try:
        return parse_mpls_labels(message, v6=v6)
    except PacketError:
        return ()  # a damaged extension must not cost us the hop it came with


def parse_tcp_segment(data: bytes) -> TcpSegment:
    """The fields of a TCP answer (SYN-ACK or RST) that a tracer matches and reports."""
    header = parse_tcp(data)
    return TcpSegment(header.sport, header.dport, header.seq, header.ack, header.flags)
