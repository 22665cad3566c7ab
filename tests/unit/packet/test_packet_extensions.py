"""MPLS label stacks in ICMP extensions (RFC 4884 / RFC 4950): found, and never costing us the hop."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest

from tuitrace.packet import (
    IcmpError,
    MplsLabel,
    PacketError,
    build_icmp_error,
    build_mpls_extension,
    internet_checksum,
    parse_icmp4_message,
    parse_icmp6_message,
    parse_mpls_labels,
)

from .packet_samples import DPORT, addresses, icmp_error_around, make_probe

STACK = (MplsLabel(24015, 0, False, 1), MplsLabel(16, 5, True, 254))


def classify(family: int, message: bytes) -> IcmpError:
    result = parse_icmp4_message(message) if family == 4 else parse_icmp6_message(message)
    assert isinstance(result, IcmpError)
    return result


def quoted_dport(error: IcmpError) -> int:
    assert error.quote is not None  # a parsed error always has its quote
    return error.quote.dport


def test_extension_structure_carries_a_valid_checksum() -> None:
    extension = build_mpls_extension(STACK)
    assert extension[0] == 0x20  # version 2
    assert internet_checksum(extension) == 0
    assert len(extension) == 4 + 4 + 4 * len(STACK)


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("time_exceeded", [True, False])
def test_label_stack_is_reported_with_the_hop(family: int, time_exceeded: bool) -> None:
    probe = make_probe(family, "udp")
    message = icmp_error_around(
        probe.packet, family, time_exceeded=time_exceeded, extension=build_mpls_extension(STACK)
    )
    result = classify(family, message)
    assert result.mpls == STACK
    assert quoted_dport(result) == DPORT
    assert parse_mpls_labels(message, v6=family == 6) == STACK


@pytest.mark.parametrize("family", [4, 6])
def test_errors_without_extensions_have_no_labels(family: int) -> None:
    probe = make_probe(family, "tcp")
    assert classify(family, icmp_error_around(probe.packet, family, time_exceeded=True)).mpls == ()


@pytest.mark.parametrize("family", [4, 6])
def test_pre_rfc4884_routers_appending_at_128_bytes_are_understood(family: int) -> None:
    probe = make_probe(family, "icmp")
    quoted = probe.packet + bytes(128 - len(probe.packet))
    message = icmp_error_around(quoted + build_mpls_extension(STACK), family, time_exceeded=True)
    assert message[4:8] == bytes(4)  # no length attribute
    assert classify(family, message).mpls == STACK


def test_a_long_quote_without_extension_is_not_mistaken_for_one() -> None:
    src, dst, _ = addresses(4)
    long_probe = make_probe(4, "udp").packet + bytes(range(256)) * 2
    message = build_icmp_error(v6=False, type=11, code=0, quoted=long_probe, src=dst, dst=src)
    assert classify(4, message).mpls == ()


def test_other_extension_objects_are_skipped() -> None:
    interface_object = struct.pack("!HBB", 8, 2, 0x0C) + struct.pack("!I", 3)  # RFC 5837 ifIndex
    mpls = build_mpls_extension(STACK)
    body = mpls[4:] + interface_object
    unsummed = b"\x20\x00\x00\x00" + body
    extension = unsummed[:2] + struct.pack("!H", internet_checksum(unsummed)) + body
    message = icmp_error_around(make_probe(4, "udp").packet, 4, time_exceeded=True, extension=extension)
    assert classify(4, message).mpls == STACK


@pytest.mark.parametrize(
    ("damage", "message_part"),
    [
        (lambda ext: b"\x10" + ext[1:], "version"),
        (lambda ext: ext[:4] + b"\x00\x02" + ext[6:], "below 4"),
        (lambda ext: ext[:4] + b"\x00\x40" + ext[6:], "extension object"),
        (lambda ext: ext[:4] + b"\x00\x07" + ext[6:] + b"\x00", "whole entries"),
        (lambda ext: ext[:6], "object header"),
    ],
    ids=["version", "short-object", "object-past-end", "partial-entry", "truncated-header"],
)
def test_a_damaged_extension_keeps_the_hop_but_drops_the_labels(
    damage: Callable[[bytes], bytes], message_part: str
) -> None:
    extension = damage(build_mpls_extension(STACK))
    probe = make_probe(6, "udp")
    message = icmp_error_around(probe.packet, 6, time_exceeded=True, extension=extension)
    result = classify(6, message)
    assert result.mpls == ()
    assert quoted_dport(result) == DPORT
    with pytest.raises(PacketError, match=message_part):
        parse_mpls_labels(message, v6=True)


def test_a_length_attribute_pointing_past_the_end_is_a_packet_error() -> None:
    message = bytearray(icmp_error_around(make_probe(4, "udp").packet, 4, time_exceeded=True))
    message[5] = 200  # 800 bytes of original datagram announced
    with pytest.raises(PacketError, match="extension header"):
        parse_mpls_labels(bytes(message), v6=False)
    assert quoted_dport(classify(4, bytes(message))) == DPORT


def test_labels_out_of_range_are_refused_by_the_builder() -> None:
    with pytest.raises(ValueError, match="label"):
        build_mpls_extension([MplsLabel(1 << 20, 0, True, 1)])
