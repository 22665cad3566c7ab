"""traceroute's annotations for ICMP errors (``!H !N !P !S !F-<mtu> !X !V !C !<code>``).

Linux traceroute's mapping, for ICMPv4 destination-unreachable codes and their ICMPv6 equivalents.
``None`` means "no mark": time exceeded, and the port unreachable that says the destination was reached.
"""

from __future__ import annotations

from tuitrace.packet.incoming import IcmpError

# ICMPv4 type 3 codes (RFC 792, RFC 1812).
_V4_UNREACH: dict[int, str] = {
    0: "!N",  # net unreachable
    1: "!H",  # host unreachable
    2: "!P",  # protocol unreachable
    5: "!S",  # source route failed
    6: "!N",  # destination network unknown
    7: "!H",  # destination host unknown
    8: "!S",  # source host isolated
    9: "!X",  # network administratively prohibited
    10: "!X",  # host administratively prohibited
    11: "!N",  # network unreachable for TOS
    12: "!H",  # host unreachable for TOS
    13: "!X",  # communication administratively prohibited
    14: "!V",  # host precedence violation
    15: "!C",  # precedence cutoff in effect
}
V4_PORT_UNREACHABLE = 3
V4_FRAG_NEEDED = 4

# ICMPv6 type 1 codes (RFC 4443).
_V6_UNREACH: dict[int, str] = {
    0: "!N",  # no route to destination
    1: "!X",  # administratively prohibited
    2: "!S",  # beyond scope of source address
    3: "!H",  # address unreachable
    5: "!X",  # source address failed ingress/egress policy
    6: "!X",  # reject route to destination
}
V6_PORT_UNREACHABLE = 4

ICMP4_DEST_UNREACH = 3
ICMP4_TIME_EXCEEDED = 11
ICMP6_DEST_UNREACH = 1
ICMP6_PACKET_TOO_BIG = 2
ICMP6_TIME_EXCEEDED = 3


def is_time_exceeded(family: int, error: IcmpError) -> bool:
    return error.type == (ICMP4_TIME_EXCEEDED if family == 4 else ICMP6_TIME_EXCEEDED)


def is_port_unreachable(family: int, error: IcmpError) -> bool:
    if family == 4:
        return error.type == ICMP4_DEST_UNREACH and error.code == V4_PORT_UNREACHABLE
    return error.type == ICMP6_DEST_UNREACH and error.code == V6_PORT_UNREACHABLE


def annotation(family: int, error: IcmpError) -> str | None:
    """The mark traceroute prints after a responder for this error, or ``None``."""
    if is_time_exceeded(family, error) or is_port_unreachable(family, error):
        return None
    if family == 4:
        if error.type != ICMP4_DEST_UNREACH:
            return f"!<{error.type}/{error.code}>"
        if error.code == V4_FRAG_NEEDED:
            return f"!F-{error.mtu or 0}"
        return _V4_UNREACH.get(error.code, f"!{error.code}")
    if error.type == ICMP6_PACKET_TOO_BIG:
        return f"!F-{error.mtu or 0}"
    if error.type != ICMP6_DEST_UNREACH:
        return f"!<{error.type}/{error.code}>"
    return _V6_UNREACH.get(error.code, f"!{error.code}")
