"""A cheap first look at a received packet: is it certainly not an answer to one of our probes?

A raw ICMP socket receives every ICMP message that reaches the host (other pings, other traceroutes,
errors about other flows). Looking at a few bytes at fixed offsets - the marks that the identity codec says
our packets carry: our ICMP id, our UDP or TCP source port - rejects those without building any objects;
whatever passes is decoded and matched in full.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from tuitrace.packet.constants import ICMP_BY_FAMILY
from tuitrace.probe.identity import IdentityDecoder
from tuitrace.probe.network import Layer
from tuitrace.probe.types import LocalIdentity

_u16: Callable[[bytes, int], tuple[int]] = struct.Struct("!H").unpack_from
_ICMP_HEADER_LENGTH = 8
_IPV6_HEADER_LENGTH = 40
# Enum members are properties of their class in Python 3.11: plain names are cheaper on the hot path.
_ICMP4_IP, _TCP4_IP, _ICMP6 = Layer.ICMP4_IP, Layer.TCP4_IP, Layer.ICMP6


class Prefilter:
    """Tells foreign packets apart for one identity and address family."""

    __slots__ = ("_echo_mark", "_echo_reply", "_errors", "_probe_marks", "_tcp_mark", "_v4")

    def __init__(self, identity: LocalIdentity, family: int) -> None:
        decoder = IdentityDecoder(identity, family)
        numbers = ICMP_BY_FAMILY[family]
        self._v4 = family == 4
        self._echo_reply = numbers.echo_reply
        self._errors = numbers.errors
        self._probe_marks = {protocol: tuple(mark) for protocol, mark in decoder.probe_marks.items()}
        self._echo_mark = tuple(decoder.echo_reply_mark)
        self._tcp_mark = tuple(decoder.tcp_answer_mark)

    def foreign(self, data: bytes, layer: Layer) -> bool:
        """True when the packet certainly answers none of our probes; False when it may (decode it)."""
        try:
            if layer is _ICMP4_IP:
                return not self._icmp_is_ours(data, (data[0] & 0x0F) * 4)
            if layer is _ICMP6:
                return not self._icmp_is_ours(data, 0)
            offset, value, span = self._tcp_mark
            if layer is _TCP4_IP:
                offset += (data[0] & 0x0F) * 4
            return not 0 <= _u16(data, offset)[0] - value < span
        except (IndexError, struct.error):
            return False  # too short to tell: the full decode counts it as malformed

    def _icmp_is_ours(self, data: bytes, icmp: int) -> bool:
        kind = data[icmp]
        if kind == self._echo_reply:
            offset, value, _span = self._echo_mark
            return _u16(data, icmp + offset)[0] == value
        if kind not in self._errors:
            return False
        inner = icmp + _ICMP_HEADER_LENGTH
        if self._v4:
            protocol = data[inner + 9]
            start = inner + (data[inner] & 0x0F) * 4
        else:
            protocol = data[inner + 6]
            start = inner + _IPV6_HEADER_LENGTH
        mark = self._probe_marks.get(protocol)
        if mark is None:
            # IPv4: a protocol none of our probes uses. IPv6: maybe extension headers before the transport
            # header; let the full parser walk them.
            return not self._v4
        offset, value, span = mark
        return 0 <= _u16(data, start + offset)[0] - value < span
