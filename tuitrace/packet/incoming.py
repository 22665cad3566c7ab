"""Classify what arrives on a probing socket: an echo reply, an ICMP error about a probe, or a TCP answer.

Input is the ICMP message or TCP segment without its outer IP header (the caller strips the IPv4 header that
raw IPv4 sockets deliver; IPv6 raw sockets never deliver one). Valid messages that cannot concern a probe
(echo requests, router advertisements, redirects...) come back as ``None``; malformed ones raise
:class:`~tuitrace.packet.errors.PacketError`. ICMPv4 checksums are not verified: a reply with a bad checksum
still names a hop, and the quote, not the checksum, decides whether it is ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuitrace.packet.errors import PacketError
from tuitrace.packet.extensions import MplsLabel, parse_mpls_labels
from tuitrace.packet.icmp import Icmp4Type, Icmp4UnreachCode, Icmp6Type, parse_icmp
from tuitrace.packet.quote import Quote, parse_quote
from tuitrace.packet.tcp import parse_tcp

_ICMP4_ERRORS = frozenset({Icmp4Type.DEST_UNREACH, Icmp4Type.TIME_EXCEEDED, Icmp4Type.PARAM_PROBLEM})
_ICMP6_ERRORS = frozenset(
    {Icmp6Type.DEST_UNREACH, Icmp6Type.PACKET_TOO_BIG, Icmp6Type.TIME_EXCEEDED, Icmp6Type.PARAM_PROBLEM}
)


@dataclass(frozen=True, slots=True)
class EchoReply:
    ident: int
    seq: int


@dataclass(frozen=True, slots=True)
class IcmpError:
    type: int
    code: int
    mtu: int | None
    """Next-hop MTU of an ICMPv4 fragmentation-needed or ICMPv6 packet-too-big (0 if the router left it
    out); ``None`` for every other error."""
    quote: Quote
    mpls: tuple[MplsLabel, ...] = ()
    """MPLS label stack the router appended (RFC 4950); empty if none or if the extension was damaged."""


@dataclass(frozen=True, slots=True)
class TcpSegment:
    sport: int
    dport: int
    seq: int
    ack: int
    flags: int


_SHORTEST_WITH_EXTENSION = 8 + 128


def parse_icmp4_message(data: bytes) -> EchoReply | IcmpError | None:
    """Classify an ICMPv4 message (starting at the ICMP header)."""
    header, body = parse_icmp(data)
    if header.type == Icmp4Type.ECHO_REPLY:
        return EchoReply(ident=header.rest >> 16, seq=header.rest & 0xFFFF)
    if header.type not in _ICMP4_ERRORS:
        return None
    frag_needed = header.type == Icmp4Type.DEST_UNREACH and header.code == Icmp4UnreachCode.FRAG_NEEDED
    mtu = header.rest & 0xFFFF if frag_needed else None
    quote = parse_quote(4, body)
    return IcmpError(type=header.type, code=header.code, mtu=mtu, quote=quote, mpls=_labels(data, v6=False))


def parse_icmp6_message(data: bytes) -> EchoReply | IcmpError | None:
    """Classify an ICMPv6 message (starting at the ICMPv6 header)."""
    header, body = parse_icmp(data)
    if header.type == Icmp6Type.ECHO_REPLY:
        return EchoReply(ident=header.rest >> 16, seq=header.rest & 0xFFFF)
    if header.type not in _ICMP6_ERRORS:
        return None
    mtu = header.rest if header.type == Icmp6Type.PACKET_TOO_BIG else None
    quote = parse_quote(6, body)
    return IcmpError(type=header.type, code=header.code, mtu=mtu, quote=quote, mpls=_labels(data, v6=True))


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
    return TcpSegment(
        sport=header.sport, dport=header.dport, seq=header.seq, ack=header.ack, flags=header.flags
    )
