"""Protocol numbers and ICMP codes: named where we know them, an "other" value that keeps its number where
we do not, never an exception for a number a header can hold."""

from __future__ import annotations

import pytest

from tuitrace.packet.constants import (
    ICMP4,
    ICMP6,
    Icmp4Type,
    Icmp4UnreachCode,
    Icmp6Type,
    Icmp6UnreachCode,
    IpProtocol,
    WireCode,
)

ENUMS: list[type[WireCode]] = [IpProtocol, Icmp4Type, Icmp6Type, Icmp4UnreachCode, Icmp6UnreachCode]


def test_a_number_nobody_named_is_an_other_value_that_keeps_it() -> None:
    gre = IpProtocol(47)
    assert not gre.known
    assert gre == 47 and int(gre) == 47
    assert gre.name == "OTHER_47"
    assert isinstance(gre, IpProtocol)
    assert IpProtocol(47) is gre  # the same number gives the same value


def test_named_numbers_are_their_members() -> None:
    assert Icmp4Type(11) is Icmp4Type.TIME_EXCEEDED
    assert Icmp4Type.TIME_EXCEEDED.known
    assert Icmp6UnreachCode(4) is Icmp6UnreachCode.PORT


@pytest.mark.parametrize("enum", ENUMS)
def test_every_byte_value_gives_a_member_or_an_other(enum: type[WireCode]) -> None:
    for value in range(256):
        code = enum(value)
        assert int(code) == value
        assert code.known == (value in {int(member) for member in enum})


@pytest.mark.parametrize("value", [-1, 256, 0x10000])
def test_what_no_header_field_can_hold_is_still_an_error(value: int) -> None:
    with pytest.raises(ValueError, match="is not a valid"):
        Icmp4Type(value)


def test_other_values_are_not_listed_as_members() -> None:
    Icmp4Type(42)
    assert [member.name for member in Icmp4Type] == [
        "ECHO_REPLY", "DEST_UNREACH", "ECHO_REQUEST", "TIME_EXCEEDED", "PARAM_PROBLEM"]


def test_the_per_family_numbers_are_the_members() -> None:
    assert (ICMP4.protocol, ICMP6.protocol) == (IpProtocol.ICMP, IpProtocol.ICMPV6)
    assert (ICMP4.time_exceeded, ICMP6.time_exceeded) == (Icmp4Type.TIME_EXCEEDED, Icmp6Type.TIME_EXCEEDED)
    assert (ICMP4.port_unreachable, ICMP6.port_unreachable) == (Icmp4UnreachCode.PORT, Icmp6UnreachCode.PORT)
    assert Icmp6Type.PACKET_TOO_BIG in ICMP6.errors and Icmp4Type.ECHO_REPLY not in ICMP4.errors
