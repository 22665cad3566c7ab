"""IPv4 and IPv6 headers: round trips, header checksum, lenient lengths, extension headers, bad headers."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuitrace.packet import PacketError, build_ipv4, build_ipv6, internet_checksum, parse_ipv4, parse_ipv6
from tuitrace.packet.ipv6 import (
    DESTINATION_OPTIONS,
    FRAGMENT,
    HOP_BY_HOP,
    ROUTING,
    fragment_header,
    options_header,
)

from .packet_samples import DST4, DST6, SRC4, SRC6

FEW = settings(max_examples=60, deadline=None)
v4_addresses = st.ip_addresses(v=4).map(str)
v6_addresses = st.ip_addresses(v=6).map(str)


@FEW
@given(
    src=v4_addresses,
    dst=v4_addresses,
    protocol=st.integers(0, 255),
    payload=st.binary(max_size=100),
    ttl=st.integers(0, 255),
    ident=st.integers(0, 0xFFFF),
    tos=st.integers(0, 255),
    dont_fragment=st.booleans(),
    option_words=st.integers(0, 10),
)
def test_ipv4_round_trip(
    src: str,
    dst: str,
    protocol: int,
    payload: bytes,
    ttl: int,
    ident: int,
    tos: int,
    dont_fragment: bool,
    option_words: int,
) -> None:
    options = b"\x01" * (4 * option_words)  # NOPs
    packet = build_ipv4(
        src,
        dst,
        protocol,
        payload,
        ttl=ttl,
        ident=ident,
        tos=tos,
        dont_fragment=dont_fragment,
        options=options,
    )
    header, parsed_payload = parse_ipv4(packet)
    assert (header.src, header.dst, header.protocol, header.ttl) == (src, dst, protocol, ttl)
    assert (header.ident, header.tos, header.dont_fragment) == (ident, tos, dont_fragment)
    assert header.header_length == 20 + len(options)
    assert header.options == options
    assert header.total_length == len(packet)
    assert parsed_payload == payload
    assert internet_checksum(packet[: header.header_length]) == 0


def test_ipv4_payload_is_cut_to_total_length() -> None:
    packet = build_ipv4(SRC4, DST4, 17, b"12345678", ttl=9)
    _, payload = parse_ipv4(packet + b"ethernet padding")
    assert payload == b"12345678"


def test_ipv4_quote_shorter_than_total_length_is_accepted() -> None:
    packet = build_ipv4(SRC4, DST4, 17, bytes(500), ttl=1)
    header, payload = parse_ipv4(packet[:28])
    assert header.total_length == 520
    assert payload == bytes(8)


def test_ipv4_bogus_total_length_keeps_everything_after_the_header() -> None:
    packet = bytearray(build_ipv4(SRC4, DST4, 17, b"abcdefgh", ttl=1))
    packet[2:4] = (4).to_bytes(2, "big")  # shorter than the header itself
    _, payload = parse_ipv4(bytes(packet))
    assert payload == b"abcdefgh"


def test_ipv4_fragment_fields_are_reported() -> None:
    packet = bytearray(build_ipv4(SRC4, DST4, 17, b"abcdefgh", ttl=1))
    packet[6:8] = (0x2000 | 185).to_bytes(2, "big")
    header, _ = parse_ipv4(bytes(packet))
    assert header.more_fragments
    assert header.fragment_offset == 185
    assert not header.dont_fragment


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ((0, 0x65), "version is 6"),
        ((0, 0x44), "below 20"),
        ((0, 0x46), "options"),  # announces 24 bytes, only 20 + 2 present
    ],
)
def test_ipv4_bad_headers_are_packet_errors(patch: tuple[int, int], message: str) -> None:
    packet = bytearray(build_ipv4(SRC4, DST4, 17, b"xy", ttl=1))
    index, value = patch
    packet[index] = value
    with pytest.raises(PacketError, match=message):
        parse_ipv4(bytes(packet))


def test_ipv4_builder_rejects_unaligned_options() -> None:
    with pytest.raises(ValueError, match="multiple of 4"):
        build_ipv4(SRC4, DST4, 17, b"", ttl=1, options=b"\x01\x01")


@FEW
@given(
    src=v6_addresses,
    dst=v6_addresses,
    next_header=st.sampled_from([6, 17, 58, 59]),
    payload=st.binary(max_size=100),
    hop_limit=st.integers(0, 255),
    traffic_class=st.integers(0, 255),
    flow_label=st.integers(0, 0xFFFFF),
)
def test_ipv6_round_trip(
    src: str, dst: str, next_header: int, payload: bytes, hop_limit: int, traffic_class: int, flow_label: int
) -> None:
    packet = build_ipv6(
        src,
        dst,
        next_header,
        payload,
        hop_limit=hop_limit,
        traffic_class=traffic_class,
        flow_label=flow_label,
    )
    header, parsed_payload = parse_ipv6(packet)
    assert (header.src, header.dst) == (str(ipaddress.IPv6Address(src)), str(ipaddress.IPv6Address(dst)))
    assert (header.next_header, header.hop_limit) == (next_header, hop_limit)
    assert (header.traffic_class, header.flow_label) == (traffic_class, flow_label)
    assert header.payload_length == len(payload)
    assert header.extension_headers == ()
    assert parsed_payload == payload


def test_ipv6_addresses_come_back_canonical() -> None:
    header, _ = parse_ipv6(build_ipv6("2001:0DB8:0:0::0001", "::1", 17, b"", hop_limit=1))
    assert header.src == "2001:db8::1"


def test_ipv6_extension_headers_are_skipped_to_the_upper_layer() -> None:
    chain = (
        options_header(ROUTING)  # hop-by-hop -> routing
        + bytes((FRAGMENT, 0, 0, 0, 0, 0, 0, 0))  # routing (empty type 0 body) -> fragment
        + fragment_header(DESTINATION_OPTIONS, more=True, ident=7)
        + options_header(17, b"\x01\x04\x00\x00\x00\x00")  # destination options carrying a PadN -> UDP
        + b"udp-bytes"
    )
    header, payload = parse_ipv6(build_ipv6(SRC6, DST6, HOP_BY_HOP, chain, hop_limit=3))
    assert header.next_header == 17
    assert header.extension_headers == (HOP_BY_HOP, ROUTING, FRAGMENT, DESTINATION_OPTIONS)
    assert header.fragment_offset == 0
    assert payload == b"udp-bytes"


def test_ipv6_non_first_fragment_reports_its_offset() -> None:
    chain = fragment_header(17, offset=100) + b"middle of a datagram"
    header, _ = parse_ipv6(build_ipv6(SRC6, DST6, FRAGMENT, chain, hop_limit=3))
    assert header.fragment_offset == 100


def test_ipv6_truncated_extension_header_is_a_packet_error() -> None:
    packet = build_ipv6(SRC6, DST6, DESTINATION_OPTIONS, options_header(17, bytes(20)), hop_limit=1)
    with pytest.raises(PacketError, match="extension header"):
        parse_ipv6(packet[:-1])


def test_ipv6_payload_is_cut_to_payload_length_unless_zero() -> None:
    packet = build_ipv6(SRC6, DST6, 17, b"abcd", hop_limit=1)
    assert parse_ipv6(packet + b"trailer")[1] == b"abcd"
    jumbo_like = packet[:4] + b"\x00\x00" + packet[6:]
    assert parse_ipv6(jumbo_like + b"trailer")[1] == b"abcdtrailer"


def test_ipv6_wrong_version_is_a_packet_error() -> None:
    packet = build_ipv6(SRC6, DST6, 17, b"", hop_limit=1)
    with pytest.raises(PacketError, match="version is 4"):
        parse_ipv6(b"\x45" + packet[1:])


def test_options_header_pads_to_eight_byte_units() -> None:
    for size in range(12):
        header = options_header(17, b"\x01" + bytes((size,)) + bytes(size))
        assert len(header) % 8 == 0
        assert (header[1] + 1) * 8 == len(header)
