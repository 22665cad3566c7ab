"""The identity codec: which fields of a probe say that it is ours and which probe it is, and reading that
back from whatever the network returns. Every back-end, the prefilter, the simulator and the matcher use it;
no other module knows the rule.

A probe is ours when it carries our ICMP id (echo) or our source port (UDP, TCP). Which of our probes it is,
its key (0..KEY_SPACE-1), travels in a field that ICMP errors quote and that ECMP routers do not hash on, so
that every probe of a trace keeps one 5-tuple and one path (Paris traceroute):

- ICMP echo: the sequence number is the key;
- UDP: the checksum is key + 1 (never 0, "no checksum", nor 0xFFFF), steered there by two payload bytes.
  Unprivileged sockets cannot choose the checksum: there the key is the first two payload bytes, which the
  kernel's error queue hands back;
- TCP SYN: the sequence number is a per-run base plus the key; the target's SYN-ACK or RST acknowledges
  that number plus one. Under ``--flows N`` each TCP flow has its own source port: ours are the N
  consecutive ports from ``tcp_port`` (:mod:`tuitrace.probe.flows`).

Decoding never raises on values from the wire: a value no probe of ours carries decodes to ``None``. Only
the unprivileged back-end's returned bytes, which must name a probe, raise ``PacketError`` when they do not.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from tuitrace.config import Protocol
from tuitrace.packet.constants import ICMP_BY_FAMILY, IpProtocol
from tuitrace.packet.errors import PacketError
from tuitrace.packet.incoming import EchoReply, TcpSegment
from tuitrace.packet.quote import Quote
from tuitrace.packet.tcp import ACK, RST, SYN
from tuitrace.probe.types import KEY_SPACE, LocalIdentity, ProbeId

_MASK32 = 0xFFFFFFFF
_U16 = struct.Struct("!H")
_ECHO_HEADER = struct.Struct("!BBHHH")
UDP_KEY_FILLER = b"tuitrace"
"""Bytes repeated after the key in the payload of an unprivileged UDP probe."""


# -- encoding: what a probe carries ----------------------------------------------------------------------
def icmp_sequence(key: int) -> int:
    return key


def udp_checksum(key: int) -> int:
    return key + 1


def tcp_sequence(key: int, identity: LocalIdentity) -> int:
    return (identity.tcp_seq_base + key) & _MASK32


def tcp_acknowledgement(key: int, identity: LocalIdentity) -> int:
    """What the target's SYN-ACK or RST acknowledges for the SYN with this key."""
    return (identity.tcp_seq_base + key + 1) & _MASK32


def udp_key_payload(key: int, extra: int = 0) -> bytes:
    """The payload of an unprivileged UDP probe: the key in two bytes, then ``extra`` bytes of filler."""
    if not 0 <= key < KEY_SPACE:
        raise ValueError(f"probe key {key} is outside 0..{KEY_SPACE - 1}")
    filler = (UDP_KEY_FILLER * (extra // len(UDP_KEY_FILLER) + 1))[:extra]
    return _U16.pack(key) + filler


def ip_protocol(protocol: Protocol, family: int) -> int:
    """The IP protocol number of a probe of ``protocol``."""
    if protocol is Protocol.ICMP:
        return ICMP_BY_FAMILY[family].protocol
    return _TCP if protocol is Protocol.TCP else _UDP


class Mark(NamedTuple):
    """Where a packet of ours carries our mark: the 16-bit field at ``offset`` of its transport header
    holds ``value`` (our ICMP id, or one of our ports) or, with ``span`` > 1, one of the ``span``
    consecutive values from it (our TCP source ports under ``--flows``)."""

    offset: int
    value: int
    span: int = 1


# -- decoding: which probe a packet names ----------------------------------------------------------------
class IdentityDecoder:
    """Reads the identity of our probes back, for one ``LocalIdentity`` and address family."""

    __slots__ = ("_base", "_echo_request", "_icmp", "_icmp_id", "_tcp_port", "_tcp_ports", "_udp_port")

    def __init__(self, identity: LocalIdentity, family: int) -> None:
        numbers = ICMP_BY_FAMILY[family]
        self._icmp = numbers.protocol
        self._echo_request = numbers.echo_request
        self._icmp_id = identity.icmp_id
        self._udp_port = identity.udp_port
        self._tcp_port = identity.tcp_port
        self._tcp_ports = identity.tcp_ports
        self._base = identity.tcp_seq_base

    @property
    def probe_marks(self) -> dict[int, Mark]:
        """By IP protocol number: what marks a probe of ours, as an ICMP error quotes it."""
        return {
            self._icmp: Mark(4, self._icmp_id),  # the echo identifier
            _UDP: Mark(0, self._udp_port),  # the source port
            _TCP: Mark(0, self._tcp_port, self._tcp_ports),
        }

    @property
    def echo_reply_mark(self) -> Mark:
        """What marks an echo reply to one of our probes (its identifier)."""
        return Mark(4, self._icmp_id)

    @property
    def tcp_answer_mark(self) -> Mark:
        """What marks the target's TCP answer to one of our SYNs (its destination port)."""
        return Mark(2, self._tcp_port, self._tcp_ports)

    def quoted(self, quote: Quote) -> ProbeId | None:
        """The probe an ICMP error quotes, if it is one of ours (addresses are the matcher's business)."""
        protocol = quote.protocol
        if protocol == _UDP:
            key = quote.checksum - 1
            if quote.sport != self._udp_port or not 0 <= key < KEY_SPACE:
                return None
            return ProbeId(key, _PROTOCOL_UDP, quote.dport)
        if protocol == _TCP:
            key = (quote.tcp_seq - self._base) & _MASK32
            if not 0 <= quote.sport - self._tcp_port < self._tcp_ports or key >= KEY_SPACE:
                return None
            return ProbeId(key, _PROTOCOL_TCP, quote.dport)
        if protocol == self._icmp:
            key = quote.icmp_seq
            if quote.icmp_type != self._echo_request or quote.icmp_id != self._icmp_id or key >= KEY_SPACE:
                return None
            return ProbeId(key, _PROTOCOL_ICMP, 0)
        return None

    def echo_reply(self, echo: EchoReply) -> ProbeId | None:
        """The probe an echo reply answers, if it is one of ours."""
        key = echo.seq
        if echo.ident != self._icmp_id or key >= KEY_SPACE:
            return None
        return ProbeId(key, _PROTOCOL_ICMP, 0)

    def tcp_answer(self, segment: TcpSegment) -> ProbeId | None:
        """The SYN that a SYN-ACK or RST answers, if it is one of ours."""
        flags = segment.flags
        if not 0 <= segment.dport - self._tcp_port < self._tcp_ports or not (
            flags & RST or (flags & SYN and flags & ACK)
        ):
            return None
        key = (segment.ack - 1 - self._base) & _MASK32
        if key >= KEY_SPACE:
            return None
        return ProbeId(key, _PROTOCOL_TCP, segment.sport)

    def returned_echo(self, returned: bytes) -> ProbeId:
        """The probe whose echo header a ping socket's error queue returned (the kernel sets the identifier
        to the socket's port, which is our ICMP id)."""
        if len(returned) < _ECHO_HEADER.size:
            raise PacketError(f"returned echo request: {len(returned)} bytes, need {_ECHO_HEADER.size}")
        icmp_type, _code, _checksum, ident, seq = _ECHO_HEADER.unpack_from(returned)
        if icmp_type != self._echo_request:
            raise PacketError(f"returned ICMP type {icmp_type} is not an echo request")
        if ident != self._icmp_id or seq >= KEY_SPACE:
            raise PacketError(f"returned echo request {ident}/{seq} is not one of our probes")
        return ProbeId(seq, _PROTOCOL_ICMP, 0)

    @staticmethod
    def returned_udp(returned: bytes, dport: int) -> ProbeId:
        """The probe to ``dport`` whose payload a UDP socket's error queue returned."""
        if len(returned) < _U16.size:
            raise PacketError("the router quoted too little of the UDP probe to find its key")
        (key,) = _U16.unpack_from(returned)
        if key >= KEY_SPACE:
            raise PacketError(f"returned UDP payload names key {key}, beyond our probes")
        return ProbeId(key, _PROTOCOL_UDP, dport)


_UDP, _TCP = int(IpProtocol.UDP), int(IpProtocol.TCP)
_PROTOCOL_ICMP, _PROTOCOL_UDP, _PROTOCOL_TCP = Protocol.ICMP, Protocol.UDP, Protocol.TCP
