"""Probes and replies shared by the packet-layer tests.

The addresses come from the documentation ranges (RFC 5737, RFC 3849). These tests only build and parse
bytes; nothing here is ever sent anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuitrace.packet import (
    Icmp4Type,
    Icmp6Type,
    build_echo,
    build_icmp_error,
    build_ipv4,
    build_ipv6,
    build_tcp,
    build_udp,
    ipv6,
    udp_payload_for_checksum,
)

SRC4, DST4, ROUTER4 = "192.0.2.1", "198.51.100.7", "203.0.113.254"
SRC6, DST6, ROUTER6 = "2001:db8::1", "2001:db8:ffff::7", "2001:db8:aaaa::fe"
ICMP4, TCP, UDP, ICMP6 = 1, 6, 17, 58
IP_ID = 0x4E21
PROBE_TTL = 1
SPORT, DPORT = 40123, 33439
TCP_SEQ = 0xDEADBEEF
ECHO_ID, ECHO_SEQ = 0x1F2E, 0x0103
PARIS_CHECKSUM = 0x8001
UDP_PAYLOAD_LENGTH = 30


def addresses(family: int) -> tuple[str, str, str]:
    """(our source, the target, a router on the way) for *family*."""
    return (SRC4, DST4, ROUTER4) if family == 4 else (SRC6, DST6, ROUTER6)


@dataclass(frozen=True, slots=True)
class Probe:
    """A probe as it leaves us: the full IP packet and where its transport header starts."""

    family: int
    protocol: int
    packet: bytes
    transport_offset: int

    @property
    def old_router_quote(self) -> bytes:
        """What a router that quotes only the IP header and 8 more bytes sends back."""
        return self.packet[: self.transport_offset + 8]


def transport_segment(family: int, kind: str) -> tuple[int, bytes]:
    """(protocol number, transport bytes) of a probe of *kind* ('udp', 'tcp' or 'icmp')."""
    src, dst, _ = addresses(family)
    if kind == "udp":
        payload = udp_payload_for_checksum(src, dst, SPORT, DPORT, PARIS_CHECKSUM, UDP_PAYLOAD_LENGTH)
        return UDP, build_udp(src, dst, SPORT, DPORT, payload)
    if kind == "tcp":
        return TCP, build_tcp(src, dst, SPORT, DPORT, seq=TCP_SEQ)
    echo = build_echo(v6=family == 6, ident=ECHO_ID, seq=ECHO_SEQ, payload=b"probe-payload", src=src, dst=dst)
    return (ICMP4 if family == 4 else ICMP6), echo


def extension_chain(extensions: tuple[int, ...], upper: int) -> bytes:
    """IPv6 extension headers of the given types, in order, the last one pointing at *upper*."""
    chain = b""
    following = (*extensions[1:], upper)[: len(extensions)]
    for kind, next_header in zip(extensions, following, strict=True):
        if kind == ipv6.FRAGMENT:
            chain += ipv6.fragment_header(next_header, more=True, ident=0xCAFE)
        elif kind == ipv6.ROUTING:
            chain += bytes((next_header, 0, 0, 0)) + bytes(4)  # type 0, no segments left
        else:
            chain += ipv6.options_header(next_header, b"\x01\x02\x00\x00")  # a PadN option
    return chain


def make_probe(
    family: int, kind: str, *, ip_options: bytes = b"", v6_extensions: tuple[int, ...] = ()
) -> Probe:
    """A full probe packet of *kind*; optionally with IPv4 options or IPv6 extension headers."""
    src, dst, _ = addresses(family)
    protocol, segment = transport_segment(family, kind)
    if family == 4:
        packet = build_ipv4(src, dst, protocol, segment, ttl=PROBE_TTL, ident=IP_ID, options=ip_options)
        return Probe(4, protocol, packet, 20 + len(ip_options))
    chain = extension_chain(v6_extensions, protocol)
    first = v6_extensions[0] if v6_extensions else protocol
    packet = build_ipv6(src, dst, first, chain + segment, hop_limit=PROBE_TTL)
    return Probe(6, protocol, packet, 40 + len(chain))


def icmp_error_around(
    quoted: bytes, family: int, *, time_exceeded: bool, mtu: int = 0, extension: bytes = b""
) -> bytes:
    """An ICMP time-exceeded (from a router) or port-unreachable (from the target) quoting *quoted*."""
    src, dst, router = addresses(family)
    sender = router if time_exceeded else dst
    kind: int
    if family == 4:
        kind, code = (Icmp4Type.TIME_EXCEEDED, 0) if time_exceeded else (Icmp4Type.DEST_UNREACH, 3)
    else:
        kind, code = (Icmp6Type.TIME_EXCEEDED, 0) if time_exceeded else (Icmp6Type.DEST_UNREACH, 4)
    return build_icmp_error(
        v6=family == 6, type=kind, code=code, quoted=quoted, src=sender, dst=src, mtu=mtu, extension=extension
    )
