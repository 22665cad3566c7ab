"""The bytes of a probe: what goes on the wire for a ``Probe`` under our ``LocalIdentity``.

Which fields carry the probe's identity is the identity codec's rule (:mod:`tuitrace.probe.identity`): the
ICMP echo sequence, the UDP checksum (steered by two payload bytes, as Paris traceroute does), the TCP
sequence number. This module puts those values into whole probes.
"""

from __future__ import annotations

import struct

from tuitrace.config import Protocol
from tuitrace.packet.checksum import ones_complement_sum, pseudo_header, udp_payload_for_checksum
from tuitrace.packet.constants import IpProtocol
from tuitrace.packet.icmp import build_echo
from tuitrace.packet.ipv4 import build_ipv4
from tuitrace.packet.ipv6 import build_ipv6
from tuitrace.packet.tcp import SYN, build_tcp
from tuitrace.probe.flows import icmp_steering, tcp_flow_port
from tuitrace.probe.identity import icmp_sequence, ip_protocol, tcp_sequence, udp_checksum
from tuitrace.probe.types import LocalIdentity, Probe

_UDP_HEADER = struct.Struct("!HHHH")
_ECHO_HEADER = struct.Struct("!BBHHH")
_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
ECHO_PAYLOAD = b"tuitrace"
_STEERING_AT = len(ECHO_PAYLOAD) - 2
"""A flow's echo (``--flows``) carries its checksum steering in the mark's last two bytes."""
_TAIL_STEERING = _STEERING_AT
"""The same place counted in the bytes after the sequence number (the payload starts right there)."""
UDP_MIN_PAYLOAD = 2


def icmp_echo(probe: Probe, identity: LocalIdentity, *, with_v6_checksum: bool = False) -> bytes:
    if probe.flow:  # the mark's last two bytes steer the checksum to the flow's value
        steering = icmp_steering(icmp_sequence(probe.key), probe.flow)
        payload = ECHO_PAYLOAD[:_STEERING_AT] + steering + bytes(probe.payload_len)
    else:
        payload = ECHO_PAYLOAD + bytes(probe.payload_len)
    v6 = probe.family == 6
    both = with_v6_checksum and v6
    return build_echo(
        v6=v6,
        ident=identity.icmp_id,
        seq=icmp_sequence(probe.key),
        payload=payload,
        src=identity.source if both else None,
        dst=probe.target if both else None,
    )


def udp_payload(probe: Probe, identity: LocalIdentity) -> bytes:
    """The payload that steers the datagram's checksum to the probe's identity."""
    return udp_payload_for_checksum(
        identity.source,
        probe.target,
        identity.udp_port,
        probe.dport,
        udp_checksum(probe.key),
        UDP_MIN_PAYLOAD + probe.payload_len,
    )


def udp_datagram(probe: Probe, identity: LocalIdentity) -> bytes:
    """UDP header and payload for a raw socket: the payload steers the checksum to the probe's identity,
    so the header can carry that value without summing the datagram a second time."""
    payload = udp_payload(probe, identity)
    header = _UDP_HEADER.pack(identity.udp_port, probe.dport, 8 + len(payload), udp_checksum(probe.key))
    return header + payload


def tcp_syn(probe: Probe, identity: LocalIdentity) -> bytes:
    return build_tcp(
        identity.source,
        probe.target,
        tcp_flow_port(identity.tcp_port, probe.flow),
        probe.dport,
        seq=tcp_sequence(probe.key, identity),
        flags=SYN,
        payload=bytes(probe.payload_len),
    )


def transport_segment(probe: Probe, identity: LocalIdentity) -> bytes:
    """The probe from its transport header on (what a raw socket without IP_HDRINCL sends)."""
    protocol = probe.setting.protocol
    if protocol is Protocol.ICMP:
        return icmp_echo(probe, identity, with_v6_checksum=True)
    if protocol is Protocol.TCP:
        return tcp_syn(probe, identity)
    return udp_datagram(probe, identity)


def ip_packet(probe: Probe, identity: LocalIdentity, *, ttl: int, ident: int = 0) -> bytes:
    """The whole probe as it looks at a router, with the TTL it has there (for simulation and tests)."""
    segment = transport_segment(probe, identity)
    protocol = ip_protocol(probe.setting.protocol, probe.family)
    source, target = identity.source, probe.target
    if probe.family == 4:
        return build_ipv4(source, target, protocol, segment, ttl=ttl, ident=ident, tos=probe.tos)
    return build_ipv6(source, target, protocol, segment, hop_limit=ttl, traffic_class=probe.tos)


class ProbeEncoder:
    """The bytes a raw socket sends for a probe: the same bytes as ``icmp_echo``, ``udp_datagram`` and
    ``tcp_syn``, built from a template per destination port instead of from scratch.

    Two probes differ only in the field that carries their key (ICMP sequence, UDP checksum, TCP sequence),
    so the ones' complement sum of everything else is computed once, and each probe's checksum (or, for UDP,
    the steering word that sets it) follows from that sum and the field in a few integer operations.
    """

    def __init__(self, identity: LocalIdentity) -> None:
        self._identity = identity
        self._templates: dict[tuple[Protocol, str, int, int, int, int], tuple[bytes, bytes, int]] = {}

    def encode(self, probe: Probe) -> bytes:
        protocol = probe.setting.protocol
        template = self._templates.get(
            (protocol, probe.target, probe.family, probe.dport, probe.payload_len, probe.flow)
        )
        if template is None:
            template = self._template(probe)
        head, tail, base = template
        if protocol is _ICMP:
            sequence = icmp_sequence(probe.key)
            if probe.flow:  # the steering keeps the sum, so the template's checksum is this probe's too
                return head + _U16.pack(sequence) + tail[:_TAIL_STEERING] + icmp_steering(
                    sequence, probe.flow
                ) + tail[_TAIL_STEERING + 2 :]
            if base < 0:  # ICMPv6 on a raw socket: the kernel fills the checksum in
                return head + _U16.pack(sequence) + tail
            total = base + sequence
            total = (total & 0xFFFF) + (total >> 16)
            return head[:2] + _U16.pack(~total & 0xFFFF) + head[4:] + _U16.pack(sequence) + tail
        if protocol is _UDP:
            wanted = udp_checksum(probe.key)
            total = (~wanted & 0xFFFF) + base
            total = (total & 0xFFFF) + (total >> 16)
            return head + _U16.pack(wanted) + _U16.pack(total) + tail
        sequence = tcp_sequence(probe.key, self._identity)
        total = base + (sequence >> 16) + (sequence & 0xFFFF)
        total = (total & 0xFFFF) + (total >> 16)
        total = (total & 0xFFFF) + (total >> 16)
        return head + _U32.pack(sequence) + tail[:8] + _U16.pack(~total & 0xFFFF) + tail[10:]

    def _template(self, probe: Probe) -> tuple[bytes, bytes, int]:
        """(bytes before the key field, bytes after it, ones' complement sum without the key's part)."""
        identity = self._identity
        protocol = probe.setting.protocol
        if protocol is _ICMP:
            echo = icmp_echo(probe._replace(key=0), identity)
            # a zero sequence adds nothing to the sum: the checksum of that echo is the complement of the rest
            base = ~_U16.unpack_from(echo, 2)[0] & 0xFFFF if probe.family == 4 else -1
            template = (echo[:6], echo[8:], base)
        elif protocol is _UDP:
            datagram = udp_datagram(probe._replace(key=0), identity)
            filler = datagram[10:]
            zeroed = datagram[:6] + bytes(4) + filler  # checksum and steering word both zero
            pseudo = pseudo_header(identity.source, probe.target, IpProtocol.UDP, len(datagram))
            template = (datagram[:6], filler, ~ones_complement_sum(pseudo + zeroed) & 0xFFFF)
        else:
            segment = build_tcp(
                identity.source,
                probe.target,
                tcp_flow_port(identity.tcp_port, probe.flow),
                probe.dport,
                seq=0,
                flags=SYN,
                payload=bytes(probe.payload_len),
            )
            base = ~_U16.unpack_from(segment, 16)[0] & 0xFFFF
            template = (segment[:4], segment[8:], base)
        key = (protocol, probe.target, probe.family, probe.dport, probe.payload_len, probe.flow)
        self._templates[key] = template
        return template


_ICMP, _UDP = Protocol.ICMP, Protocol.UDP
