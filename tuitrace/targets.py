"""Names and addresses from the command line, resolved and checked before any probe is sent.

A trace to an address that cannot be one (multicast, the unspecified address, a broadcast address) or from a
source this machine does not have only ever shows a path of ``???`` or a misleading "no route": each of
those is found here and named in one line instead. Kept apart from argument parsing, because it asks the
resolver and the kernel (a bind, a connect: neither sends a packet).
"""

from __future__ import annotations

import errno
import ipaddress
import socket

from tuitrace.errors import TuitraceError

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_LIMITED_BROADCAST = ipaddress.IPv4Address("255.255.255.255")
_V4_COMPATIBLE = ipaddress.ip_network("::/96")
"""``::a.b.c.d``, deprecated since 2006 (RFC 4291) and routed nowhere."""
_DISCARD_PORT = 9
"""Any port does for a UDP connect, which only asks the routing table."""


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(host: str, family: int | None) -> tuple[str, int]:
    """``host`` as ``(address, 4 or 6)``; a v4-mapped IPv6 address (``::ffff:a.b.c.d``) is IPv4."""
    literal = _literal(host)
    if isinstance(literal, ipaddress.IPv6Address) and literal.ipv4_mapped is not None:
        if family == 6:
            raise TuitraceError(
                f"{host} is the IPv4 address {literal.ipv4_mapped} written as IPv6: trace it without -6"
            )
        return str(literal.ipv4_mapped), 4
    if literal is not None and family in (None, literal.version):
        return str(literal), literal.version
    af = {4: socket.AF_INET, 6: socket.AF_INET6}.get(family or 0, socket.AF_UNSPEC)
    try:
        infos = socket.getaddrinfo(host, None, af, socket.SOCK_DGRAM)
    except (socket.gaierror, UnicodeError) as exc:
        wanted = f" as IPv{family}" if family else ""
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise TuitraceError(f"cannot resolve {host!r}{wanted}: {reason}") from None
    for info in infos:
        if info[0] in (socket.AF_INET, socket.AF_INET6):
            address = str(info[4][0]).split("%", 1)[0]
            mapped = _literal(address)
            if isinstance(mapped, ipaddress.IPv6Address) and mapped.ipv4_mapped is not None:
                return str(mapped.ipv4_mapped), 4
            return address, 4 if info[0] == socket.AF_INET else 6
    raise TuitraceError(f"cannot resolve {host!r}: no IPv4 or IPv6 address")


def unusable_reason(address: IpAddress) -> str | None:
    """Why ``address`` cannot be the far end of a trace, or ``None`` when it can."""
    if address.is_unspecified:
        return "the unspecified address (it names no host)"
    if address.is_multicast:
        return "a multicast address (a group, not one host)"
    if address == _LIMITED_BROADCAST:
        return "a broadcast address"
    if isinstance(address, ipaddress.IPv4Address) and address in _THIS_NETWORK:
        return "in 0.0.0.0/8, 'this network', which is never a destination"
    if isinstance(address, ipaddress.IPv6Address) and address in _V4_COMPATIBLE and not address.is_loopback:
        v4 = ipaddress.IPv4Address(int(address))
        return f"a deprecated IPv4-compatible IPv6 address: trace {v4} instead"
    return None


def is_local_broadcast(address: str) -> bool:
    """True for the broadcast address of a subnet this machine is on (say 192.168.1.255 on a /24).

    The kernel knows: a UDP connect to a broadcast address fails with EACCES unless SO_BROADCAST is set.
    A connect sends nothing. A ``prohibit`` route gives EACCES as well, so the connect is tried again with
    SO_BROADCAST, which lets only a broadcast through."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect((address, _DISCARD_PORT))
        except PermissionError:
            pass
        except OSError:
            return False
        else:
            return False
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        try:
            sock.connect((address, _DISCARD_PORT))
        except OSError:
            return False
        return True


def check_target(host: str, address: str, family: int) -> None:
    """Refuse a target that no trace can reach, naming what it is."""
    ip = ipaddress.ip_address(address)
    reason = unusable_reason(ip)
    if reason is None and family == 4 and is_local_broadcast(address):
        reason = "a broadcast address"
    if reason is not None:
        shown = host if _literal(host) == ip else f"{host} ({address})"
        raise TuitraceError(f"{shown} is {reason}")


def local_source(source: str, family: int) -> str:
    """``-s``: the source as an address of this machine in the target's family (bound to check it)."""
    try:
        address, source_family = resolve(source, family)
    except TuitraceError:
        raise TuitraceError(f"source {source!r} is not an IPv{family} address of this host") from None
    if source_family != family:
        raise TuitraceError(f"source {source} is not IPv{family} like the target")
    af = socket.AF_INET if family == 4 else socket.AF_INET6
    with socket.socket(af, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((address, 0))
        except OSError as exc:
            if exc.errno in (errno.EADDRNOTAVAIL, errno.EINVAL):
                raise TuitraceError(f"{address} is not an address of this machine") from None
            raise TuitraceError(f"cannot use source {address}: {exc.strerror or exc}") from None
    return address


def check_interface(name: str) -> None:
    """``--interface``: it must exist."""
    try:
        socket.if_nametoindex(name)
    except (OSError, ValueError):
        raise TuitraceError(f"no interface {name}") from None
