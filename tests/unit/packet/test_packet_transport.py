"""UDP, TCP and ICMP builders and parsers: round trips and checksums that verify on the receiving side."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuitrace.packet import (
    ACK,
    FIN,
    PSH,
    RST,
    SYN,
    URG,
    Icmp4Type,
    Icmp6Type,
    PacketError,
    build_echo,
    build_icmp_error,
    build_tcp,
    build_udp,
    internet_checksum,
    mss_option,
    parse_icmp,
    parse_tcp,
    parse_udp,
    transport_checksum,
)

from .packet_samples import DST4, DST6, ROUTER4, ROUTER6, SRC4, SRC6

FEW = settings(max_examples=60, deadline=None)
pairs = st.sampled_from([(SRC4, DST4), (SRC6, DST6)])
ports = st.integers(0, 0xFFFF)


@FEW
@given(pair=pairs, sport=ports, dport=ports, payload=st.binary(max_size=120))
def test_udp_round_trip_and_checksum(pair: tuple[str, str], sport: int, dport: int, payload: bytes) -> None:
    src, dst = pair
    datagram = build_udp(src, dst, sport, dport, payload)
    header, parsed_payload = parse_udp(datagram)
    assert (header.sport, header.dport, header.length) == (sport, dport, 8 + len(payload))
    assert parsed_payload == payload
    assert header.checksum != 0  # zero would mean "no checksum" on IPv4 and is illegal on IPv6
    assert transport_checksum(src, dst, 17, datagram) == 0


def test_udp_payload_is_cut_to_length_unless_bogus() -> None:
    datagram = build_udp(SRC4, DST4, 1, 2, b"abc")
    assert parse_udp(datagram + b"pad")[1] == b"abc"
    bogus = datagram[:4] + b"\x00\x03" + datagram[6:]
    assert parse_udp(bogus + b"pad")[1] == b"abcpad"


def test_udp_needs_eight_bytes() -> None:
    with pytest.raises(PacketError, match="UDP header"):
        parse_udp(bytes(7))


@FEW
@given(
    pair=pairs,
    sport=ports,
    dport=ports,
    seq=st.integers(0, 0xFFFFFFFF),
    ack=st.integers(0, 0xFFFFFFFF),
    flags=st.integers(0, 0xFF),
    window=ports,
    options=st.binary(max_size=40),
)
def test_tcp_round_trip_and_checksum(
    pair: tuple[str, str], sport: int, dport: int, seq: int, ack: int, flags: int, window: int, options: bytes
) -> None:
    src, dst = pair
    segment = build_tcp(src, dst, sport, dport, seq=seq, ack=ack, flags=flags, window=window, options=options)
    header = parse_tcp(segment)
    assert (header.sport, header.dport, header.seq, header.ack) == (sport, dport, seq, ack)
    assert (header.flags, header.window) == (flags, window)
    assert header.header_length == len(segment) == 20 + len(options) + -len(options) % 4
    assert header.options.startswith(options)
    assert transport_checksum(src, dst, 6, segment) == 0


def test_tcp_defaults_are_a_bare_syn() -> None:
    header = parse_tcp(build_tcp(SRC4, DST4, 40000, 443, seq=1))
    assert header.flags == SYN
    assert header.header_length == 20
    assert header.window == 65535


def test_tcp_flag_constants_are_the_wire_bits() -> None:
    assert [1 << bit for bit in range(6)] == [FIN, SYN, RST, PSH, ACK, URG]


def test_tcp_mss_option_is_carried() -> None:
    header = parse_tcp(build_tcp(SRC6, DST6, 40000, 443, seq=1, options=mss_option(1460)))
    assert header.options == b"\x02\x04\x05\xb4"
    assert header.header_length == 24


@pytest.mark.parametrize(("offset_byte", "message"), [(0x40, "below 20"), (0x60, "options")])
def test_tcp_bad_data_offset_is_a_packet_error(offset_byte: int, message: str) -> None:
    segment = bytearray(build_tcp(SRC4, DST4, 1, 2, seq=3))
    segment[12] = offset_byte
    with pytest.raises(PacketError, match=message):
        parse_tcp(bytes(segment))


def test_tcp_options_beyond_forty_bytes_are_refused() -> None:
    with pytest.raises(ValueError, match="40 bytes"):
        build_tcp(SRC4, DST4, 1, 2, seq=3, options=bytes(41))


@FEW
@given(ident=ports, seq=ports, payload=st.binary(max_size=64), reply=st.booleans())
def test_icmp4_echo_round_trip_and_checksum(ident: int, seq: int, payload: bytes, reply: bool) -> None:
    message = build_echo(v6=False, ident=ident, seq=seq, payload=payload, reply=reply)
    header, body = parse_icmp(message)
    assert header.type == (Icmp4Type.ECHO_REPLY if reply else Icmp4Type.ECHO_REQUEST)
    assert header.code == 0
    assert header.rest == ident << 16 | seq
    assert body == payload
    assert internet_checksum(message) == 0


@FEW
@given(ident=ports, seq=ports, payload=st.binary(max_size=64), reply=st.booleans())
def test_icmp6_echo_checksum_covers_the_pseudo_header(
    ident: int, seq: int, payload: bytes, reply: bool
) -> None:
    message = build_echo(v6=True, ident=ident, seq=seq, payload=payload, reply=reply, src=SRC6, dst=DST6)
    header, body = parse_icmp(message)
    assert header.type == (Icmp6Type.ECHO_REPLY if reply else Icmp6Type.ECHO_REQUEST)
    assert header.rest == ident << 16 | seq
    assert body == payload
    assert transport_checksum(SRC6, DST6, 58, message) == 0


def test_icmp6_echo_without_addresses_leaves_the_checksum_to_the_kernel() -> None:
    header, _ = parse_icmp(build_echo(v6=True, ident=1, seq=2, payload=b"x"))
    assert header.checksum == 0


def test_icmp4_frag_needed_carries_the_mtu_in_the_low_half() -> None:
    message = build_icmp_error(v6=False, type=3, code=4, quoted=bytes(28), mtu=1400)
    header, body = parse_icmp(message)
    assert header.rest == 1400
    assert body == bytes(28)
    assert internet_checksum(message) == 0


def test_icmp6_packet_too_big_carries_a_32_bit_mtu() -> None:
    message = build_icmp_error(v6=True, type=2, code=0, quoted=bytes(48), mtu=70000, src=ROUTER6, dst=SRC6)
    header, _ = parse_icmp(message)
    assert header.rest == 70000
    assert transport_checksum(ROUTER6, SRC6, 58, message) == 0


@pytest.mark.parametrize(
    ("v6", "quoted_length", "padded_length", "length_field"),
    [(False, 28, 128, 32), (False, 130, 132, 33), (True, 48, 128, 16), (True, 130, 136, 17)],
)
def test_rfc4884_extension_pads_the_quote_and_sets_the_length(
    v6: bool, quoted_length: int, padded_length: int, length_field: int
) -> None:
    extension = b"\x20\x00\x00\x00" + b"object"
    message = build_icmp_error(
        v6=v6,
        type=3 if v6 else 11,
        code=0,
        quoted=b"\x01" * quoted_length,
        extension=extension,
        src=ROUTER6 if v6 else None,
        dst=SRC6 if v6 else None,
    )
    _header, body = parse_icmp(message)
    length_byte = message[4] if v6 else message[5]
    assert length_byte == length_field
    assert body == b"\x01" * quoted_length + bytes(padded_length - quoted_length) + extension


def test_rfc4884_is_refused_where_the_rfc_has_no_length_field() -> None:
    with pytest.raises(ValueError, match="RFC 4884"):
        build_icmp_error(v6=True, type=2, code=0, quoted=bytes(48), extension=b"x")


def test_icmp_needs_eight_bytes() -> None:
    with pytest.raises(PacketError, match="ICMP header"):
        parse_icmp(struct.pack("!BBHH", 0, 0, 0, 0))


def test_icmp4_error_checksum_verifies() -> None:
    message = build_icmp_error(v6=False, type=11, code=0, quoted=bytes(range(36)), src=ROUTER4, dst=SRC4)
    assert internet_checksum(message) == 0
