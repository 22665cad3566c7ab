"""What the kernel tells an unprivileged socket about its probes, turned into the tracer's ``Reply`` values.

Without raw sockets we never see the ICMP errors themselves: with ``IP_RECVERR`` / ``IPV6_RECVERR`` the
kernel matches each error to the socket that sent the probe and queues a summary on that socket's error
queue (``MSG_ERRQUEUE``): a ``sock_extended_err`` (origin, ICMP type and code, MTU) followed by the
offender's address, the probe's destination as the message's address, and as data what the router quoted
after the probe's transport header (the ICMP echo header itself for ping sockets). Receive timestamps and
the TTL of the error packet come as the usual ancillary data.

The tracer matches errors by the quote's identity fields (ICMP id/seq, UDP checksum, TCP sequence). The
kernel does not hand us the quoted headers, so this module rebuilds a ``Quote`` carrying exactly those
fields from what it does know: which socket, the destination port, and the probe key that we put in the
payload. Pure functions only: everything here is tested with crafted bytes.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from dataclasses import dataclass, replace

from tuitrace.packet.errors import PacketError
from tuitrace.packet.incoming import IcmpError
from tuitrace.packet.quote import Quote
from tuitrace.probe.types import KEY_SPACE

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
IP_RECVERR = getattr(socket, "IP_RECVERR", 11)
IPV6_RECVERR = getattr(socket, "IPV6_RECVERR", 25)
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)
IP_TTL_CMSG = socket.IP_TTL
"""The ancillary message type of a received IPv4 TTL (``IP_RECVTTL``) and of a per-packet TTL to send."""
IPV6_HOPLIMIT = getattr(socket, "IPV6_HOPLIMIT", 52)
MSG_ERRQUEUE = getattr(socket, "MSG_ERRQUEUE", 0x2000)

SO_EE_ORIGIN_ICMP = 2
SO_EE_ORIGIN_ICMP6 = 3
_EXTENDED_ERR = struct.Struct("=IBBBBII")
"""``struct sock_extended_err``: errno, origin, type, code, pad, info, data (16 bytes, host order)."""
_TIMESPEC = struct.Struct("=qq")
_INT = struct.Struct("=i")
_FAMILY = struct.Struct("=H")
_AF_INET = 2
_AF_INET6 = 10
_ECHO_HEADER = struct.Struct("!BBHHH")
_ECHO_REQUEST = {4: 8, 6: 128}
_IPPROTO_ICMP = {4: 1, 6: 58}
_IPPROTO_TCP = 6
_IPPROTO_UDP = 17
_FRAG_NEEDED = (3, 4)
_PACKET_TOO_BIG = 2
_KEY = struct.Struct("!H")
UDP_FILLER = b"tuitrace"


@dataclass(frozen=True, slots=True)
class ExtendedError:
    """One ``sock_extended_err`` with the offender address that follows it."""

    errno: int
    origin: int
    type: int
    code: int
    info: int
    """The next-hop MTU for fragmentation-needed / packet-too-big, else 0."""
    offender: str | None
    """Who sent the ICMP error; ``None`` for errors the local stack raised itself."""

    @property
    def from_icmp(self) -> bool:
        """Did a router or the target send this (rather than the local stack)?"""
        return self.origin in (SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6) and self.offender is not None


@dataclass(frozen=True, slots=True)
class Ancillary:
    """What the ancillary data of one ``recvmsg`` says."""

    rx_ns: int | None = None
    """Kernel receive timestamp (``SO_TIMESTAMPNS``, CLOCK_REALTIME)."""
    ttl: int | None = None
    """TTL / hop limit of the packet that arrived (the echo reply, or the ICMP error itself)."""
    error: ExtendedError | None = None


def parse_sockaddr(data: bytes) -> str | None:
    """The address of a ``sockaddr_in`` / ``sockaddr_in6``; ``None`` for ``AF_UNSPEC`` (no address)."""
    if len(data) < _FAMILY.size:
        raise PacketError("sockaddr: truncated before the family")
    (family,) = _FAMILY.unpack_from(data)
    if family == _AF_INET and len(data) >= 8:
        return str(ipaddress.IPv4Address(bytes(data[4:8])))
    if family == _AF_INET6 and len(data) >= 24:
        return str(ipaddress.IPv6Address(bytes(data[8:24])))
    if family == 0:
        return None
    raise PacketError(f"sockaddr: family {family} with {len(data)} bytes is not an IP address")


def parse_extended_error(data: bytes) -> ExtendedError:
    """An ``IP_RECVERR`` / ``IPV6_RECVERR`` control message: the error, then the offender's sockaddr."""
    if len(data) < _EXTENDED_ERR.size:
        raise PacketError(f"sock_extended_err: {len(data)} bytes, need {_EXTENDED_ERR.size}")
    errno, origin, icmp_type, code, _pad, info, _data = _EXTENDED_ERR.unpack_from(data)
    offender = parse_sockaddr(data[_EXTENDED_ERR.size :]) if len(data) > _EXTENDED_ERR.size else None
    return ExtendedError(errno, origin, icmp_type, code, info, offender)


def parse_ancillary(ancdata: list[tuple[int, int, bytes]]) -> Ancillary:
    """Timestamp, TTL and extended error from ``recvmsg`` ancillary data; other messages are ignored."""
    rx_ns: int | None = None
    ttl: int | None = None
    error: ExtendedError | None = None
    for level, kind, value in ancdata:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= _TIMESPEC.size:
            sec, nsec = _TIMESPEC.unpack_from(value)
            rx_ns = sec * 1_000_000_000 + nsec
        elif (level, kind) in ((socket.IPPROTO_IP, IP_TTL_CMSG), (socket.IPPROTO_IPV6, IPV6_HOPLIMIT)):
            if len(value) >= _INT.size:
                ttl = _INT.unpack_from(value)[0]
        elif (level, kind) in ((socket.IPPROTO_IP, IP_RECVERR), (socket.IPPROTO_IPV6, IPV6_RECVERR)):
            error = parse_extended_error(value)
    return Ancillary(rx_ns, ttl, error)


# -- the payloads we send, and reading our key back --------------------------------------------------------
def udp_probe_payload(key: int, extra: int = 0) -> bytes:
    """A UDP probe's payload: the key in two bytes (the error queue gives the payload back), then filler."""
    if not 0 <= key < KEY_SPACE:
        raise ValueError(f"probe key {key} is outside 0..{KEY_SPACE - 1}")
    filler = (UDP_FILLER * (extra // len(UDP_FILLER) + 1))[:extra]
    return _KEY.pack(key) + filler


def udp_payload_key(payload: bytes) -> int:
    """The key of a UDP probe from the payload the error queue returned."""
    if len(payload) < _KEY.size:
        raise PacketError("the router quoted too little of the UDP probe to find its key")
    return int(_KEY.unpack_from(payload)[0])


# -- rebuilding the quote the tracer matches on ------------------------------------------------------------
def icmp_error(family: int, error: ExtendedError, quote: Quote) -> IcmpError:
    """The ``IcmpError`` message the raw back-end would have parsed (without MPLS labels)."""
    too_big = (error.type, error.code) == _FRAG_NEEDED if family == 4 else error.type == _PACKET_TOO_BIG
    return IcmpError(type=error.type, code=error.code, mtu=error.info if too_big else None, quote=quote)


def echo_quote(family: int, source: str, target: str, returned: bytes) -> Quote:
    """The quote of an echo request from what a ping socket's error queue returned: the echo header."""
    if len(returned) < _ECHO_HEADER.size:
        raise PacketError(f"returned echo request: {len(returned)} bytes, need {_ECHO_HEADER.size}")
    icmp_type, icmp_code, _checksum, ident, seq = _ECHO_HEADER.unpack_from(returned)
    if icmp_type != _ECHO_REQUEST[family]:
        raise PacketError(f"returned ICMP type {icmp_type} is not an echo request")
    return Quote(
        family=family,
        protocol=_IPPROTO_ICMP[family],
        src=source,
        dst=target,
        ttl=0,
        ip_id=0,
        icmp_type=icmp_type,
        icmp_code=icmp_code,
        icmp_id=ident,
        icmp_seq=seq,
    )


def _port_quote(family: int, protocol: int, source: str, target: str, ports: tuple[int, int]) -> Quote:
    sport, dport = ports
    return Quote(
        family=family, protocol=protocol, src=source, dst=target, ttl=0, ip_id=0, sport=sport, dport=dport
    )


def udp_quote(family: int, source: str, target: str, ports: tuple[int, int], returned: bytes) -> Quote:
    """The quote of a UDP probe (``ports`` = source, destination) carrying the checksum the tracer expects
    (key + 1), with the key read from the returned payload."""
    quote = _port_quote(family, _IPPROTO_UDP, source, target, ports)
    return replace(quote, checksum=udp_payload_key(returned) + 1)


def tcp_quote(family: int, source: str, target: str, ports: tuple[int, int], seq: int) -> Quote:
    """The quote of a TCP SYN; the socket it arrived on says which probe it was, so ``seq`` is known."""
    return replace(_port_quote(family, _IPPROTO_TCP, source, target, ports), tcp_seq=seq & 0xFFFFFFFF)
