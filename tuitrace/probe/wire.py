"""The bytes of a probe: what goes on the wire for a ``Probe`` under our ``LocalIdentity``.

Identity travels in fields that the ICMP error quotes and that ECMP routers do not hash on: the ICMP echo
sequence, the UDP checksum (steered by two payload bytes, as Paris traceroute does), the TCP sequence number.
"""

from __future__ import annotations

import struct

from tuitrace.config import Protocol
from tuitrace.packet.checksum import udp_payload_for_checksum
from tuitrace.packet.icmp import build_echo
from tuitrace.packet.ipv4 import build_ipv4
from tuitrace.packet.ipv6 import build_ipv6
from tuitrace.packet.tcp import SYN, build_tcp
from tuitrace.probe.types import LocalIdentity, Probe

_UDP_HEADER = struct.Struct("!HHHH")
ECHO_PAYLOAD = b"tuitrace"
UDP_MIN_PAYLOAD = 2
IPPROTO_ICMP = 1
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_ICMPV6 = 58


def tcp_sequence(probe: Probe, identity: LocalIdentity) -> int:
    return (identity.tcp_seq_base + probe.key) & 0xFFFFFFFF


def icmp_echo(probe: Probe, identity: LocalIdentity, *, with_v6_checksum: bool = False) -> bytes:
    payload = ECHO_PAYLOAD + bytes(probe.payload_len)
    v6 = probe.family == 6
    both = with_v6_checksum and v6
    return build_echo(
        v6=v6,
        ident=identity.icmp_id,
        seq=probe.key,
        payload=payload,
        src=identity.source if both else None,
        dst=probe.target if both else None,
    )


def udp_payload(probe: Probe, identity: LocalIdentity) -> bytes:
    """The payload that gives the datagram the checksum ``key + 1`` (for a datagram socket to send)."""
    return udp_payload_for_checksum(
        identity.source,
        probe.target,
        identity.udp_port,
        probe.dport,
        probe.key + 1,
        UDP_MIN_PAYLOAD + probe.payload_len,
    )


def udp_datagram(probe: Probe, identity: LocalIdentity) -> bytes:
    """UDP header and payload for a raw socket: the payload steers the checksum to ``key + 1``, so the
    header can carry that value without summing the datagram a second time."""
    payload = udp_payload(probe, identity)
    return _UDP_HEADER.pack(identity.udp_port, probe.dport, 8 + len(payload), probe.key + 1) + payload


def tcp_syn(probe: Probe, identity: LocalIdentity) -> bytes:
    return build_tcp(
        identity.source,
        probe.target,
        identity.tcp_port,
        probe.dport,
        seq=tcp_sequence(probe, identity),
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


def ip_protocol(probe: Probe) -> int:
    protocol = probe.setting.protocol
    if protocol is Protocol.ICMP:
        return IPPROTO_ICMP if probe.family == 4 else IPPROTO_ICMPV6
    return IPPROTO_TCP if protocol is Protocol.TCP else IPPROTO_UDP


def ip_packet(probe: Probe, identity: LocalIdentity, *, ttl: int, ident: int = 0) -> bytes:
    """The whole probe as it looks at a router, with the TTL it has there (for simulation and tests)."""
    segment = transport_segment(probe, identity)
    if probe.family == 4:
        return build_ipv4(
            identity.source, probe.target, ip_protocol(probe), segment, ttl=ttl, ident=ident, tos=probe.tos
        )
    return build_ipv6(
        identity.source, probe.target, ip_protocol(probe), segment, hop_limit=ttl, traffic_class=probe.tos
    )
