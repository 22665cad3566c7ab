"""Hostile input: every parser either parses or raises PacketError, never anything else.

The receive path drops what does not parse, so an IndexError or struct.error escaping from here would be a
crash on one odd packet from the network.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuitrace.packet import (
    RST,
    SYN,
    IcmpError,
    MplsLabel,
    PacketError,
    build_echo,
    build_mpls_extension,
    build_tcp,
    parse_icmp,
    parse_icmp4_message,
    parse_icmp6_message,
    parse_ipv4,
    parse_ipv6,
    parse_mpls_labels,
    parse_quote,
    parse_tcp,
    parse_tcp_segment,
    parse_udp,
)
from tuitrace.packet.ipv6 import DESTINATION_OPTIONS, FRAGMENT, HOP_BY_HOP, ROUTING

from .packet_samples import SRC4, SRC6, Probe, icmp_error_around, make_probe

PARSERS: dict[str, Callable[[bytes], object]] = {
    "ipv4": parse_ipv4,
    "ipv6": parse_ipv6,
    "udp": parse_udp,
    "tcp": parse_tcp,
    "icmp": parse_icmp,
    "quote4": lambda data: parse_quote(4, data),
    "quote6": lambda data: parse_quote(6, data),
    "icmp4_message": parse_icmp4_message,
    "icmp6_message": parse_icmp6_message,
    "tcp_segment": parse_tcp_segment,
    "mpls4": lambda data: parse_mpls_labels(data, v6=False),
    "mpls6": lambda data: parse_mpls_labels(data, v6=True),
}
RECORD_ROUTE = bytes((7, 11, 4)) + bytes(9)


def _probes() -> list[Probe]:
    probes = []
    for kind in ("udp", "tcp", "icmp"):
        probes += [make_probe(4, kind), make_probe(4, kind, ip_options=RECORD_ROUTE)]
        probes += [make_probe(6, kind), make_probe(6, kind, v6_extensions=(FRAGMENT,))]
        probes += [make_probe(6, kind, v6_extensions=(HOP_BY_HOP, ROUTING, DESTINATION_OPTIONS))]
    return probes


PROBES = _probes()
ERRORS = [
    (probe, icmp_error_around(quoted, probe.family, time_exceeded=time_exceeded, extension=extension))
    for probe in PROBES
    for quoted in (probe.packet, probe.old_router_quote)
    for time_exceeded in (True, False)
    for extension in (b"", build_mpls_extension([MplsLabel(24015, 0, True, 1)]))
]
ERROR_IDS = [
    f"v{probe.family}-proto{probe.protocol}-quote{len(message)}-{index}"
    for index, (probe, message) in enumerate(ERRORS)
]
VALID_MESSAGES = (
    [probe.packet for probe in PROBES]
    + [message for _, message in ERRORS]
    + [build_echo(v6=v6, ident=5, seq=6, payload=b"xyz", reply=True) for v6 in (False, True)]
    + [build_tcp(SRC4, SRC4, 80, 40000, seq=1, ack=2, flags=SYN | RST, options=b"\x02\x04\x05\xb4")]
    + [build_tcp(SRC6, SRC6, 80, 40000, seq=1, flags=RST)]
)


def parse_or_packet_error(parser: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(PacketError):
        parser(data)


def test_every_truncation_of_every_valid_message_parses_or_raises_packet_error() -> None:
    for message in VALID_MESSAGES:
        for end in range(len(message) + 1):
            for parser in PARSERS.values():
                parse_or_packet_error(parser, message[:end])


@pytest.mark.parametrize(("probe", "message"), ERRORS[::3], ids=ERROR_IDS[::3])
def test_a_truncated_error_parses_exactly_when_header_and_eight_bytes_remain(
    probe: Probe, message: bytes
) -> None:
    parse = parse_icmp4_message if probe.family == 4 else parse_icmp6_message
    complete = parse(message)
    assert isinstance(complete, IcmpError)
    needed = 8 + probe.transport_offset + 8  # ICMP header, quoted IP header(s), 8 transport bytes
    for end in range(len(message) + 1):
        if end >= needed:
            truncated = parse(message[:end])
            assert isinstance(truncated, IcmpError)
            assert truncated.quote == complete.quote
        else:
            with pytest.raises(PacketError):
                parse(message[:end])


@settings(max_examples=150, deadline=None)
@given(parser=st.sampled_from(sorted(PARSERS)), data=st.binary(max_size=200))
def test_arbitrary_bytes_parse_or_raise_packet_error(parser: str, data: bytes) -> None:
    parse_or_packet_error(PARSERS[parser], data)


@settings(max_examples=150, deadline=None)
@given(
    parser=st.sampled_from(sorted(PARSERS)),
    message=st.sampled_from(VALID_MESSAGES),
    changes=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), min_size=1, max_size=6),
    end=st.integers(0, 400),
)
def test_corrupted_valid_messages_parse_or_raise_packet_error(
    parser: str, message: bytes, changes: list[tuple[int, int]], end: int
) -> None:
    corrupted = bytearray(message)
    for position, value in changes:
        if corrupted:
            corrupted[position % len(corrupted)] = value
    parse_or_packet_error(PARSERS[parser], bytes(corrupted[:end]))
