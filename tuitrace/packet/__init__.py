"""Build and parse the bytes of traceroute probes and the replies they provoke.

Pure functions over ``bytes``, standard library only, no sockets and no clock: the probe layer above decides
what to send and when; this layer only knows what the bytes mean. Every parser raises
:class:`PacketError` (and nothing else) on malformed input, so the receive path can count and drop.
Addresses are strings in canonical :mod:`ipaddress` form.
"""

from tuitrace.packet.checksum import (
    internet_checksum,
    pseudo_header,
    transport_checksum,
    udp_payload_for_checksum,
)
from tuitrace.packet.constants import Icmp4Type, Icmp4UnreachCode, Icmp6Type, Icmp6UnreachCode, IpProtocol
from tuitrace.packet.errors import PacketError
from tuitrace.packet.extensions import MplsLabel, build_mpls_extension, parse_mpls_labels
from tuitrace.packet.icmp import IcmpHeader, build_echo, build_icmp_error, parse_icmp
from tuitrace.packet.incoming import (
    EchoReply,
    IcmpError,
    TcpSegment,
    parse_icmp4_message,
    parse_icmp6_message,
    parse_tcp_segment,
)
from tuitrace.packet.ipv4 import IPv4Header, build_ipv4, parse_ipv4
from tuitrace.packet.ipv6 import IPv6Header, build_ipv6, parse_ipv6
from tuitrace.packet.quote import Quote, parse_quote
from tuitrace.packet.tcp import ACK, FIN, PSH, RST, SYN, URG, TcpHeader, build_tcp, mss_option, parse_tcp
from tuitrace.packet.udp import UdpHeader, build_udp, parse_udp

__all__ = [
    "ACK",
    "FIN",
    "PSH",
    "RST",
    "SYN",
    "URG",
    "EchoReply",
    "IPv4Header",
    "IPv6Header",
    "Icmp4Type",
    "Icmp4UnreachCode",
    "Icmp6Type",
    "Icmp6UnreachCode",
    "IcmpError",
    "IcmpHeader",
    "IpProtocol",
    "MplsLabel",
    "PacketError",
    "Quote",
    "TcpHeader",
    "TcpSegment",
    "UdpHeader",
    "build_echo",
    "build_icmp_error",
    "build_ipv4",
    "build_ipv6",
    "build_mpls_extension",
    "build_tcp",
    "build_udp",
    "internet_checksum",
    "mss_option",
    "parse_icmp",
    "parse_icmp4_message",
    "parse_icmp6_message",
    "parse_ipv4",
    "parse_ipv6",
    "parse_mpls_labels",
    "parse_quote",
    "parse_tcp",
    "parse_tcp_segment",
    "parse_udp",
    "pseudo_header",
    "transport_checksum",
    "udp_payload_for_checksum",
]
