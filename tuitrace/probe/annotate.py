"""traceroute's annotations for ICMP errors (``!H !N !P !S !F-<mtu> !X !V !C !<code>``).

Linux traceroute's mapping, for ICMPv4 destination-unreachable codes and their ICMPv6 equivalents.
``None`` means "no mark": time exceeded, and the port unreachable that says the destination was reached.
"""

from __future__ import annotations

from tuitrace.packet.constants import (
    ICMP_BY_FAMILY,
    Icmp4UnreachCode,
    Icmp6Type,
    Icmp6UnreachCode,
)
from tuitrace.packet.incoming import IcmpError

_V4_UNREACH: dict[int, str] = {
    Icmp4UnreachCode.NET: "!N",
    Icmp4UnreachCode.HOST: "!H",
    Icmp4UnreachCode.PROTOCOL: "!P",
    Icmp4UnreachCode.SOURCE_ROUTE_FAILED: "!S",
    Icmp4UnreachCode.NET_UNKNOWN: "!N",
    Icmp4UnreachCode.HOST_UNKNOWN: "!H",
    Icmp4UnreachCode.SOURCE_ISOLATED: "!S",
    Icmp4UnreachCode.NET_PROHIBITED: "!X",
    Icmp4UnreachCode.HOST_PROHIBITED: "!X",
    Icmp4UnreachCode.NET_TOS: "!N",
    Icmp4UnreachCode.HOST_TOS: "!H",
    Icmp4UnreachCode.ADMIN_PROHIBITED: "!X",
    Icmp4UnreachCode.HOST_PRECEDENCE: "!V",
    Icmp4UnreachCode.PRECEDENCE_CUTOFF: "!C",
}
_V6_UNREACH: dict[int, str] = {
    Icmp6UnreachCode.NO_ROUTE: "!N",
    Icmp6UnreachCode.ADMIN_PROHIBITED: "!X",
    Icmp6UnreachCode.BEYOND_SCOPE: "!S",
    Icmp6UnreachCode.ADDRESS: "!H",
    Icmp6UnreachCode.SOURCE_POLICY: "!X",
    Icmp6UnreachCode.REJECT_ROUTE: "!X",
}
_FRAG_NEEDED = int(Icmp4UnreachCode.FRAG_NEEDED)
_PACKET_TOO_BIG = int(Icmp6Type.PACKET_TOO_BIG)


def is_time_exceeded(family: int, error: IcmpError) -> bool:
    return error.type == ICMP_BY_FAMILY[family].time_exceeded


def is_port_unreachable(family: int, error: IcmpError) -> bool:
    numbers = ICMP_BY_FAMILY[family]
    return error.type == numbers.dest_unreach and error.code == numbers.port_unreachable


def annotation(family: int, error: IcmpError) -> str | None:
    """The mark traceroute prints after a responder for this error, or ``None``."""
    if is_time_exceeded(family, error) or is_port_unreachable(family, error):
        return None
    if family == 6 and error.type == _PACKET_TOO_BIG:
        return f"!F-{error.mtu or 0}"
    if error.type != ICMP_BY_FAMILY[family].dest_unreach:
        return f"!<{error.type}/{error.code}>"
    return unreachable_mark(family, error.code, error.mtu)


def unreachable_mark(family: int, code: int, mtu: int | None = None) -> str:
    """The mark for a destination-unreachable ``code`` other than port unreachable (which says the
    destination answered: callers look for it first); ``mtu`` goes with IPv4's fragmentation needed."""
    if family == 4:
        if code == _FRAG_NEEDED:
            return f"!F-{mtu or 0}"
        return _V4_UNREACH.get(code, f"!{code}")
    return _V6_UNREACH.get(code, f"!{code}")
