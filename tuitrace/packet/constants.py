"""The numbers of the protocols tuitrace speaks, declared once: IP protocol numbers, ICMP and ICMPv6 message
types, and the destination-unreachable codes behind traceroute's annotations.

These are open sets: a router may send a type or code no enum here names. Calling an enum with such a number
gives an "other" member that keeps the number (``Icmp4Type(42)`` is ``Icmp4Type.OTHER_42``, ``known`` is
false) instead of raising ``ValueError``, as trippy's packet crate (``Other(u8)``) and dnspython's enums do,
so code that names what it shows never meets an exception from the wire.

Code on the receive path compares plain ints (an enum member is a property of its class in Python 3.11):
it takes ``int(...)`` copies of these members or the per-family ``IcmpNumbers``, never its own literals.
"""

from __future__ import annotations

import enum
from typing import NamedTuple, Self


class WireCode(enum.IntEnum):
    """An 8-bit number from a header; an unnamed value becomes an "other" member that keeps it."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 0xFF:
            return None  # not a value this field can hold: the usual ValueError
        other = int.__new__(cls, value)
        other._name_ = f"OTHER_{value}"
        other._value_ = value
        # Cached like a member, so that the same number gives the same object (and a cheap second lookup).
        return cls._value2member_map_.setdefault(value, other)  # type: ignore[return-value]

    @property
    def known(self) -> bool:
        """Is this one of the named members (rather than an "other" value)?"""
        return self._name_ in type(self).__members__


class IpProtocol(WireCode):
    """IPv4 protocol / IPv6 next-header numbers (IANA): the transports of probes, and the IPv6 extension
    headers a quote may carry before them."""

    HOP_BY_HOP = 0
    ICMP = 1
    TCP = 6
    UDP = 17
    ROUTING = 43
    FRAGMENT = 44
    ICMPV6 = 58
    DESTINATION_OPTIONS = 60


class Icmp4Type(WireCode):
    """ICMPv4 message types (RFC 792) that a probe sends or provokes."""

    ECHO_REPLY = 0
    DEST_UNREACH = 3
    ECHO_REQUEST = 8
    TIME_EXCEEDED = 11
    PARAM_PROBLEM = 12


class Icmp6Type(WireCode):
    """ICMPv6 message types (RFC 4443) that a probe sends or provokes."""

    DEST_UNREACH = 1
    PACKET_TOO_BIG = 2
    TIME_EXCEEDED = 3
    PARAM_PROBLEM = 4
    ECHO_REQUEST = 128
    ECHO_REPLY = 129


class Icmp4UnreachCode(WireCode):
    """Codes of ICMPv4 destination unreachable (RFC 792, RFC 1812)."""

    NET = 0
    HOST = 1
    PROTOCOL = 2
    PORT = 3
    FRAG_NEEDED = 4
    SOURCE_ROUTE_FAILED = 5
    NET_UNKNOWN = 6
    HOST_UNKNOWN = 7
    SOURCE_ISOLATED = 8
    NET_PROHIBITED = 9
    HOST_PROHIBITED = 10
    NET_TOS = 11
    HOST_TOS = 12
    ADMIN_PROHIBITED = 13
    HOST_PRECEDENCE = 14
    PRECEDENCE_CUTOFF = 15


class Icmp6UnreachCode(WireCode):
    """Codes of ICMPv6 destination unreachable (RFC 4443 section 3.1)."""

    NO_ROUTE = 0
    ADMIN_PROHIBITED = 1
    BEYOND_SCOPE = 2
    ADDRESS = 3
    PORT = 4
    SOURCE_POLICY = 5
    REJECT_ROUTE = 6


class IcmpNumbers(NamedTuple):
    """The ICMP numbers that differ between IPv4 and IPv6, as plain ints, for code that serves both."""

    protocol: int
    """The IP protocol number of ICMP in this family."""
    echo_request: int
    echo_reply: int
    dest_unreach: int
    port_unreachable: int
    """The destination-unreachable code with which a target refuses a UDP probe."""
    time_exceeded: int
    errors: frozenset[int]
    """The types of the errors that quote the packet that caused them."""


def _ints(*codes: int) -> frozenset[int]:
    return frozenset(map(int, codes))


ICMP4 = IcmpNumbers(
    protocol=int(IpProtocol.ICMP),
    echo_request=int(Icmp4Type.ECHO_REQUEST),
    echo_reply=int(Icmp4Type.ECHO_REPLY),
    dest_unreach=int(Icmp4Type.DEST_UNREACH),
    port_unreachable=int(Icmp4UnreachCode.PORT),
    time_exceeded=int(Icmp4Type.TIME_EXCEEDED),
    errors=_ints(Icmp4Type.DEST_UNREACH, Icmp4Type.TIME_EXCEEDED, Icmp4Type.PARAM_PROBLEM),
)
ICMP6 = IcmpNumbers(
    protocol=int(IpProtocol.ICMPV6),
    echo_request=int(Icmp6Type.ECHO_REQUEST),
    echo_reply=int(Icmp6Type.ECHO_REPLY),
    dest_unreach=int(Icmp6Type.DEST_UNREACH),
    port_unreachable=int(Icmp6UnreachCode.PORT),
    time_exceeded=int(Icmp6Type.TIME_EXCEEDED),
    errors=_ints(
        Icmp6Type.DEST_UNREACH, Icmp6Type.PACKET_TOO_BIG, Icmp6Type.TIME_EXCEEDED, Icmp6Type.PARAM_PROBLEM
    ),
)
ICMP_BY_FAMILY = {4: ICMP4, 6: ICMP6}
