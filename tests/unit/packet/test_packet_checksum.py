"""Checksums: hand-computed vectors, the verify-to-zero property, pseudo-headers, the Paris payload trick."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuitrace.packet import (
    build_ipv4,
    build_udp,
    internet_checksum,
    parse_udp,
    pseudo_header,
    transport_checksum,
    udp_payload_for_checksum,
)

from .packet_samples import DST4, DST6, SRC4, SRC6

FEW = settings(max_examples=60, deadline=None)


def test_odd_length_is_padded_with_a_zero_byte() -> None:
    # 01 02 | 03 (00): 0x0102 + 0x0300 = 0x0402, complement 0xFBFD.
    assert internet_checksum(b"\x01\x02\x03") == 0xFBFD


def test_carry_wraps_around() -> None:
    # 0xFFFF + 0x0001 = 0x1_0000 -> fold -> 0x0001, complement 0xFFFE.
    assert internet_checksum(b"\xff\xff\x00\x01") == 0xFFFE


def test_ipv4_header_checksum_matches_a_hand_computed_vector() -> None:
    # 4500 001c 1234 0000 0111 ____ 7f00 0001 7f00 0002 (20-byte header, UDP, TTL 1, id 0x1234):
    # 0x4500 + 0x001c + 0x1234 + 0x0111 + 0x7f00 + 0x0001 + 0x7f00 + 0x0002 = 0x1_5664
    # fold: 0x5664 + 0x1 = 0x5665; complement: 0xA99A.
    packet = build_ipv4("127.0.0.1", "127.0.0.2", 17, bytes(8), ttl=1, ident=0x1234)
    assert packet[:20] == bytes.fromhex("4500001c123400000111a99a7f0000017f000002")


def test_udp_checksum_matches_a_hand_computed_vector() -> None:
    # Pseudo-header 7f00 0001 7f00 0002 0011 0008, header 1000 0035 0008 ____, no payload:
    # 0x7f00 + 0x0001 + 0x7f00 + 0x0002 + 0x0011 + 0x0008 + 0x1000 + 0x0035 + 0x0008 = 0x1_0e59
    # fold: 0x0e5a; complement: 0xF1A5.
    assert build_udp("127.0.0.1", "127.0.0.2", 0x1000, 53, b"") == bytes.fromhex("100000350008f1a5")


@FEW
@given(st.binary(max_size=200).map(lambda b: b + bytes(len(b) % 2)), st.data())
def test_a_buffer_holding_its_own_checksum_verifies_to_zero(data: bytes, draw: st.DataObject) -> None:
    slot = draw.draw(st.integers(0, len(data) // 2)) * 2
    buffer = data[:slot] + b"\x00\x00" + data[slot:]
    filled = buffer[:slot] + struct.pack("!H", internet_checksum(buffer)) + buffer[slot + 2 :]
    assert internet_checksum(filled) == 0


@FEW
@given(st.binary(max_size=64).map(lambda b: b + bytes(len(b) % 2)), st.binary(max_size=64))
def test_initial_continues_a_partial_sum(head: bytes, tail: bytes) -> None:
    partial_sum = ~internet_checksum(head) & 0xFFFF
    assert internet_checksum(tail, partial_sum) == internet_checksum(head + tail)


def test_pseudo_headers_have_the_rfc_layouts() -> None:
    v4 = pseudo_header("127.0.0.1", "127.0.0.2", 17, 0x0102)
    assert v4 == bytes((127, 0, 0, 1, 127, 0, 0, 2, 0, 17, 1, 2))
    v6 = pseudo_header("::1", "::2", 58, 0x0102)
    assert v6 == bytes(15) + b"\x01" + bytes(15) + b"\x02" + b"\x00\x00\x01\x02" + b"\x00\x00\x00\x3a"


def test_pseudo_header_refuses_mixed_families() -> None:
    with pytest.raises(ValueError, match="same IP version"):
        pseudo_header("127.0.0.1", "::1", 17, 8)


@pytest.mark.parametrize(("src", "dst"), [(SRC4, DST4), (SRC6, DST6)])
def test_a_built_datagram_verifies_with_its_pseudo_header(src: str, dst: str) -> None:
    datagram = build_udp(src, dst, 33434, 33435, b"hello")
    assert transport_checksum(src, dst, 17, datagram) == 0


@FEW
@given(
    family=st.sampled_from([(SRC4, DST4), (SRC6, DST6)]),
    ports=st.tuples(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF)),
    wanted=st.integers(1, 0xFFFE),
    payload_len=st.integers(2, 80),
)
def test_paris_payload_steers_the_udp_checksum(
    family: tuple[str, str], ports: tuple[int, int], wanted: int, payload_len: int
) -> None:
    src, dst = family
    payload = udp_payload_for_checksum(src, dst, *ports, wanted, payload_len)
    assert len(payload) == payload_len
    datagram = build_udp(src, dst, *ports, payload)
    header, _ = parse_udp(datagram)
    assert header.checksum == wanted
    assert transport_checksum(src, dst, 17, datagram) == 0


@pytest.mark.parametrize("wanted", [1, 0xFFFE])
@pytest.mark.parametrize(("src", "dst"), [(SRC4, DST4), (SRC6, DST6)])
def test_paris_payload_reaches_the_extreme_checksums(src: str, dst: str, wanted: int) -> None:
    payload = udp_payload_for_checksum(src, dst, 33434, 33434, wanted, 2)
    assert parse_udp(build_udp(src, dst, 33434, 33434, payload))[0].checksum == wanted


@pytest.mark.parametrize(("src", "dst"), [(SRC4, DST4), (SRC6, DST6)])
def test_a_computed_zero_udp_checksum_is_sent_as_all_ones(src: str, dst: str) -> None:
    # With checksum 0x0001 the datagram sums to 0xFFFE; one more in the steering word makes the sum 0xFFFF,
    # whose complement 0 means "no checksum" on the wire, so UDP must send 0xFFFF instead.
    payload = udp_payload_for_checksum(src, dst, 33434, 53, 1, 8)
    steering = int.from_bytes(payload[:2], "big") % 0xFFFF + 1
    datagram = build_udp(src, dst, 33434, 53, steering.to_bytes(2, "big") + payload[2:])
    assert parse_udp(datagram)[0].checksum == 0xFFFF
    assert transport_checksum(src, dst, 17, datagram) == 0


def test_paris_payloads_differ_only_in_the_steering_bytes() -> None:
    first = udp_payload_for_checksum(SRC4, DST4, 1000, 2000, 0x1111, 24)
    second = udp_payload_for_checksum(SRC4, DST4, 1000, 2000, 0x2222, 24)
    assert first[2:] == second[2:]
    assert first[:2] != second[:2]


@pytest.mark.parametrize(("wanted", "payload_len"), [(0, 10), (0xFFFF, 10), (5, 1)])
def test_paris_payload_rejects_impossible_requests(wanted: int, payload_len: int) -> None:
    with pytest.raises(ValueError):
        udp_payload_for_checksum(SRC4, DST4, 1, 2, wanted, payload_len)
