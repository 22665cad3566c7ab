"""What ICMP errors say about our probes: every probe kind, both families, as modern and old routers quote."""

from __future__ import annotations

import struct
from dataclasses import replace

import pytest

from tuitrace.packet import (
    ACK,
    RST,
    SYN,
    EchoReply,
    Icmp4Type,
    Icmp6Type,
    IcmpError,
    PacketError,
    Quote,
    TcpSegment,
    build_echo,
    build_icmp_error,
    build_ipv4,
    build_ipv6,
    build_tcp,
    parse_icmp4_message,
    parse_icmp6_message,
    parse_quote,
    parse_tcp_segment,
)
from tuitrace.packet.ipv6 import DESTINATION_OPTIONS, FRAGMENT, HOP_BY_HOP, ROUTING, fragment_header

from .packet_samples import (
    DPORT,
    ECHO_ID,
    ECHO_SEQ,
    ICMP4,
    ICMP6,
    IP_ID,
    PARIS_CHECKSUM,
    PROBE_TTL,
    ROUTER4,
    SPORT,
    SRC4,
    SRC6,
    TCP_SEQ,
    UDP,
    UDP_PAYLOAD_LENGTH,
    Probe,
    addresses,
    icmp_error_around,
    make_probe,
)

KINDS = ["udp", "tcp", "icmp"]
FAMILIES = [4, 6]


def expected_quote(probe: Probe, kind: str) -> Quote:
    """The Quote a correct parser must produce for *probe*, derived from how the probe was built."""
    src, dst, _ = addresses(probe.family)
    ip_id = IP_ID if probe.family == 4 else 0
    common = Quote(family=probe.family, protocol=probe.protocol, src=src, dst=dst, ttl=PROBE_TTL, ip_id=ip_id)
    if kind == "udp":
        udp_length = 8 + UDP_PAYLOAD_LENGTH
        return replace(common, sport=SPORT, dport=DPORT, udp_length=udp_length, checksum=PARIS_CHECKSUM)
    if kind == "tcp":
        return replace(common, sport=SPORT, dport=DPORT, tcp_seq=TCP_SEQ)
    echo_request = Icmp4Type.ECHO_REQUEST if probe.family == 4 else Icmp6Type.ECHO_REQUEST
    return replace(common, icmp_type=echo_request, icmp_code=0, icmp_id=ECHO_ID, icmp_seq=ECHO_SEQ)


def classify(family: int, message: bytes) -> EchoReply | IcmpError | None:
    return parse_icmp4_message(message) if family == 4 else parse_icmp6_message(message)


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("time_exceeded", [True, False], ids=["time-exceeded", "unreachable"])
@pytest.mark.parametrize("whole", [True, False], ids=["whole-probe", "header+8"])
def test_errors_quoting_each_probe_identify_it(
    family: int, kind: str, time_exceeded: bool, whole: bool
) -> None:
    probe = make_probe(family, kind)
    quoted = probe.packet if whole else probe.old_router_quote
    result = classify(family, icmp_error_around(quoted, family, time_exceeded=time_exceeded))
    assert isinstance(result, IcmpError)
    if family == 4:
        assert (result.type, result.code) == ((11, 0) if time_exceeded else (3, 3))
    else:
        assert (result.type, result.code) == ((3, 0) if time_exceeded else (1, 4))
    assert result.mtu is None
    assert result.quote == expected_quote(probe, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_quoted_ipv4_options_do_not_hide_the_transport_header(kind: str) -> None:
    record_route = bytes((7, 11, 4)) + bytes(8) + b"\x00"  # 12 bytes: record route with room for 2 hops
    probe = make_probe(4, kind, ip_options=record_route)
    for quoted in (probe.packet, probe.old_router_quote):
        result = parse_icmp4_message(icmp_error_around(quoted, 4, time_exceeded=True))
        assert isinstance(result, IcmpError)
        assert result.quote == expected_quote(probe, kind)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "extensions",
    [(FRAGMENT,), (HOP_BY_HOP, ROUTING, FRAGMENT, DESTINATION_OPTIONS)],
    ids=["fragment", "hop-by-hop+routing+fragment+destination"],
)
def test_quoted_ipv6_extension_headers_are_skipped(kind: str, extensions: tuple[int, ...]) -> None:
    probe = make_probe(6, kind, v6_extensions=extensions)
    for quoted in (probe.packet, probe.old_router_quote):
        result = parse_icmp6_message(icmp_error_around(quoted, 6, time_exceeded=True))
        assert isinstance(result, IcmpError)
        assert result.quote == expected_quote(probe, kind)


def _mpls_extension() -> bytes:
    """An RFC 4950 MPLS label stack object inside an RFC 4884 extension structure (checksums left 0)."""
    label_entry = struct.pack("!I", 24015 << 12 | 1 << 8 | 1)  # label 24015, bottom of stack, TTL 1
    return b"\x20\x00\x00\x00" + struct.pack("!HBB", 8, 1, 1) + label_entry


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("kind", KINDS)
def test_rfc4884_padding_and_extensions_do_not_disturb_the_quote(family: int, kind: str) -> None:
    probe = make_probe(family, kind)
    message = icmp_error_around(
        probe.old_router_quote, family, time_exceeded=True, extension=_mpls_extension()
    )
    result = classify(family, message)
    assert isinstance(result, IcmpError)
    assert result.quote == expected_quote(probe, kind)


def test_ipv4_frag_needed_reports_the_next_hop_mtu() -> None:
    probe = make_probe(4, "udp")
    message = build_icmp_error(v6=False, type=3, code=4, quoted=probe.packet, mtu=1280)
    result = parse_icmp4_message(message)
    assert isinstance(result, IcmpError)
    assert result.mtu == 1280
    assert result.quote == expected_quote(probe, "udp")


def test_ipv6_packet_too_big_reports_the_mtu() -> None:
    probe = make_probe(6, "tcp")
    _, _, router = addresses(6)
    message = build_icmp_error(v6=True, type=2, code=0, quoted=probe.packet, mtu=1280, src=router, dst=SRC6)
    result = parse_icmp6_message(message)
    assert isinstance(result, IcmpError)
    assert (result.type, result.mtu) == (Icmp6Type.PACKET_TOO_BIG, 1280)
    assert result.quote == expected_quote(probe, "tcp")


@pytest.mark.parametrize("family", FAMILIES)
def test_parameter_problem_is_an_error_about_the_probe(family: int) -> None:
    probe = make_probe(family, "udp")
    kind = Icmp4Type.PARAM_PROBLEM if family == 4 else Icmp6Type.PARAM_PROBLEM
    message = build_icmp_error(v6=family == 6, type=kind, code=0, quoted=probe.packet)
    result = classify(family, message)
    assert isinstance(result, IcmpError)
    assert result.type == kind
    assert result.quote is not None
    assert result.quote.dport == DPORT


@pytest.mark.parametrize("family", FAMILIES)
def test_echo_replies_give_ident_and_sequence(family: int) -> None:
    reply = build_echo(v6=family == 6, ident=0xBEEF, seq=42, payload=b"data", reply=True)
    assert classify(family, reply) == EchoReply(ident=0xBEEF, seq=42)


@pytest.mark.parametrize(
    ("family", "message"),
    [
        (4, build_echo(v6=False, ident=1, seq=1)),  # someone pinging us
        (4, struct.pack("!BBHI", 5, 1, 0, 0) + bytes(28)),  # redirect
        (6, build_echo(v6=True, ident=1, seq=1)),
        (6, struct.pack("!BBHI", 134, 0, 0, 0) + bytes(8)),  # router advertisement
        (6, struct.pack("!BBHI", 136, 0, 0, 0) + bytes(16)),  # neighbour advertisement
    ],
)
def test_messages_that_cannot_concern_a_probe_are_ignored(family: int, message: bytes) -> None:
    assert classify(family, message) is None


@pytest.mark.parametrize("family", FAMILIES)
def test_fewer_than_eight_transport_bytes_is_a_packet_error(family: int) -> None:
    probe = make_probe(family, "tcp")
    with pytest.raises(PacketError, match="transport header"):
        parse_quote(family, probe.old_router_quote[:-1])


@pytest.mark.parametrize("family", FAMILIES)
def test_a_quote_of_the_other_ip_version_is_a_packet_error(family: int) -> None:
    other = make_probe(10 - family, "udp")
    with pytest.raises(PacketError, match="version"):
        parse_quote(family, other.packet)


def test_unknown_family_is_a_packet_error() -> None:
    with pytest.raises(PacketError, match="family"):
        parse_quote(5, make_probe(4, "udp").packet)


@pytest.mark.parametrize(
    ("family", "packet"),
    [
        (4, build_ipv4(SRC4, ROUTER4, 47, bytes(16), ttl=1)),  # GRE
        (4, build_ipv4(SRC4, ROUTER4, ICMP6, bytes(16), ttl=1)),  # ICMPv6 inside IPv4
        (6, build_ipv6(SRC6, SRC6, ICMP4, bytes(16), hop_limit=1)),  # ICMPv4 inside IPv6
    ],
)
def test_a_quote_of_something_no_probe_sends_is_a_packet_error(family: int, packet: bytes) -> None:
    with pytest.raises(PacketError, match="protocol"):
        parse_quote(family, packet)


def test_a_quoted_non_first_fragment_is_a_packet_error() -> None:
    v6 = build_ipv6(SRC6, SRC6, 44, fragment_header(UDP, offset=3) + bytes(16), hop_limit=1)
    with pytest.raises(PacketError, match="fragment"):
        parse_quote(6, v6)
    v4 = bytearray(make_probe(4, "udp").packet)
    v4[6:8] = (3).to_bytes(2, "big")
    with pytest.raises(PacketError, match="fragment"):
        parse_quote(4, bytes(v4))


@pytest.mark.parametrize("family", FAMILIES)
def test_quote_ignores_a_lying_total_length(family: int) -> None:
    # Some routers rewrite the quoted length; the transport header still starts right after the IP header.
    probe = make_probe(family, "udp")
    quoted = bytearray(probe.old_router_quote)
    if family == 4:
        quoted[2:4] = (probe.transport_offset + 4).to_bytes(2, "big")  # claims 4 transport bytes
    else:
        quoted[4:6] = (4).to_bytes(2, "big")
    assert parse_quote(family, bytes(quoted)) == expected_quote(probe, "udp")


@pytest.mark.parametrize(("flags", "family"), [(SYN | ACK, 4), (RST | ACK, 4), (SYN | ACK, 6), (RST, 6)])
def test_tcp_answers_are_classified(flags: int, family: int) -> None:
    src, dst, _ = addresses(family)
    segment = build_tcp(
        dst, src, 443, SPORT, seq=77, ack=TCP_SEQ + 1, flags=flags, options=b"\x02\x04\x05\xb4"
    )
    expected = TcpSegment(sport=443, dport=SPORT, seq=77, ack=TCP_SEQ + 1, flags=flags)
    assert parse_tcp_segment(segment) == expected


def test_short_tcp_answer_is_a_packet_error() -> None:
    segment = build_tcp(SRC4, ROUTER4, 1, 2, seq=3)
    with pytest.raises(PacketError):
        parse_tcp_segment(segment[:19])
