"""A cheap first look at a received packet: is it certainly not an answer to one of our probes?

A raw ICMP socket receives every ICMP message that reaches the host (other pings, other traceroutes,
errors about other flows). Looking at a few bytes at fixed offsets - our ICMP id, UDP or TCP source port -
rejects those without building any objects; whatever passes is decoded and matched in full.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from tuitrace.probe.network import Layer
from tuitrace.probe.types import LocalIdentity

_U16 = struct.Struct("!H")
_ICMP4_ERRORS = frozenset((3, 11, 12))
_ICMP6_ERRORS = frozenset((1, 2, 3, 4))
_ECHO_REPLY = {4: 0, 6: 129}
_ICMP_PROTOCOL = {4: 1, 6: 58}
_UDP, _TCP = 17, 6
# Enum members are properties of their class in Python 3.11: plain names are cheaper on the hot path.
_ICMP4_IP, _TCP4_IP, _ICMP6 = Layer.ICMP4_IP, Layer.TCP4_IP, Layer.ICMP6
_u16: Callable[[bytes, int], tuple[int]] = _U16.unpack_from


def _quoted_owner(data: bytes, start: int, protocol: int, family: int, identity: LocalIdentity) -> bool:
    """Does the transport header at ``start`` carry our ICMP id / UDP or TCP source port?"""
    if protocol == _ICMP_PROTOCOL[family]:
        return _u16(data, start + 4)[0] == identity.icmp_id
    if protocol == _UDP:
        return _u16(data, start)[0] == identity.udp_port
    if protocol == _TCP:
        return _u16(data, start)[0] == identity.tcp_port
    return False


def _icmp_is_ours(data: bytes, icmp: int, family: int, identity: LocalIdentity) -> bool:
    kind = data[icmp]
    if kind == _ECHO_REPLY[family]:
        return _u16(data, icmp + 4)[0] == identity.icmp_id
    inner = icmp + 8
    if family == 4:
        if kind not in _ICMP4_ERRORS:
            return False
        return _quoted_owner(data, inner + (data[inner] & 0x0F) * 4, data[inner + 9], 4, identity)
    if kind not in _ICMP6_ERRORS:
        return False
    next_header = data[inner + 6]
    if next_header not in (_UDP, _TCP, _ICMP_PROTOCOL[6]):
        return True  # extension headers: let the full parser walk them
    return _quoted_owner(data, inner + 40, next_header, 6, identity)


def foreign(data: bytes, layer: Layer, identity: LocalIdentity) -> bool:
    """True when the packet certainly answers none of our probes; False when it may (decode it)."""
    try:
        if layer is _ICMP4_IP:
            return not _icmp_is_ours(data, (data[0] & 0x0F) * 4, 4, identity)
        if layer is _ICMP6:
            return not _icmp_is_ours(data, 0, 6, identity)
        offset = (data[0] & 0x0F) * 4 if layer is _TCP4_IP else 0
        return _u16(data, offset + 2)[0] != identity.tcp_port
    except (IndexError, struct.error):
        return False  # too short to tell: the full decode counts it as malformed
