"""What the kernel tells an unprivileged socket about its probes, turned into the tracer's ``Reply`` values.

Without raw sockets we never see the ICMP errors themselves: with ``IP_RECVERR`` / ``IPV6_RECVERR`` the
kernel matches each error to the socket that sent the probe and queues a summary on that socket's error
queue (``MSG_ERRQUEUE``): a ``sock_extended_err`` (origin, ICMP type and code, MTU) followed by the
offender's address, the probe's destination as the message's address, and as data what the router quoted
after the probe's transport header (the ICMP echo header itself for ping sockets). Receive timestamps and
the TTL of the error packet come as the usual ancillary data.

The kernel does not hand us the quoted headers, but it has already matched the error to our socket; which
probe it is about follows from that socket (TCP: one per probe) or from the bytes it returns (the echo
header, the UDP payload), read by the identity codec. So an error becomes an ``IcmpError`` without a quote,
and the ``Reply`` names its probe. Pure functions only: everything here is tested with crafted bytes.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from dataclasses import dataclass

from tuitrace.packet.constants import Icmp4Type, Icmp4UnreachCode, Icmp6Type
from tuitrace.packet.errors import PacketError
from tuitrace.packet.incoming import IcmpError

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
_FRAG_NEEDED = (Icmp4Type.DEST_UNREACH, Icmp4UnreachCode.FRAG_NEEDED)
_PACKET_TOO_BIG = Icmp6Type.PACKET_TOO_BIG


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


def icmp_error(family: int, error: ExtendedError) -> IcmpError:
    """The ``IcmpError`` that the kernel's summary describes: no quote (the socket or the returned bytes say
    which probe) and no MPLS labels (not read from the error queue)."""
    too_big = (error.type, error.code) == _FRAG_NEEDED if family == 4 else error.type == _PACKET_TOO_BIG
    return IcmpError(type=error.type, code=error.code, mtu=error.info if too_big else None, quote=None)
