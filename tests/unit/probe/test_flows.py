"""Flow variation (``--flows``): every probe of a flow has the same hashed fields, flows differ in them,
and the probe's identity still travels in the quoted bytes (so matching is unchanged)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuitrace.config import Protocol, Setting
from tuitrace.packet.checksum import internet_checksum, pseudo_header
from tuitrace.packet.constants import ICMP_BY_FAMILY
from tuitrace.packet.icmp import build_icmp_error
from tuitrace.packet.incoming import IcmpError, TcpSegment, parse_icmp4_message, parse_icmp6_message
from tuitrace.packet.ipv4 import build_ipv4
from tuitrace.packet.tcp import ACK, RST, build_tcp
from tuitrace.probe.flows import FLOWS_MAX, icmp_steering, tcp_flow_port, udp_flow_port
from tuitrace.probe.identity import IdentityDecoder
from tuitrace.probe.matching import ProbeMatcher
from tuitrace.probe.network import Layer
from tuitrace.probe.prefilter import Prefilter
from tuitrace.probe.types import KEY_SPACE, LocalIdentity, Probe, Reply
from tuitrace.probe.wire import ProbeEncoder, icmp_echo, ip_packet, tcp_syn

ENDPOINTS = {4: ("192.0.2.1", "198.51.100.9"), 6: ("2001:db8::1", "2001:db8:1::9")}
ROUTER = {4: "192.0.2.254", 6: "2001:db8::fe"}
FLOWS = 8


def identity(family: int, tcp_ports: int = FLOWS) -> LocalIdentity:
    return LocalIdentity(0x5454, 40001, 40002, ENDPOINTS[family][0], 0x1000, tcp_ports)


def flow_probe(protocol: Protocol, family: int, key: int, flow: int, dport: int = 443) -> Probe:
    port = None if protocol is Protocol.ICMP else dport
    return Probe(key, 4, Setting(protocol, port), 0, ENDPOINTS[family][1], family,
                 0 if protocol is Protocol.ICMP else dport, 0, 0, flow)


def icmp_checksum(echo: bytes, family: int) -> int:
    """The checksum the echo carries on the wire (IPv6: as the kernel fills it in, with the pseudo-header)."""
    if family == 4:
        return int(struct.unpack_from("!H", echo, 2)[0])
    source, target = ENDPOINTS[6]
    zeroed = echo[:2] + bytes(2) + echo[4:]
    return internet_checksum(pseudo_header(source, target, ICMP_BY_FAMILY[6].protocol, len(echo)) + zeroed)


@pytest.mark.parametrize("family", [4, 6])
def test_an_icmp_flow_keeps_one_checksum_whatever_the_sequence(family: int) -> None:
    sender = identity(family)
    checksums: dict[int, set[int]] = {}
    for flow in range(1, FLOWS_MAX + 1):
        for key in (0, 1, 2, 255, 4096, KEY_SPACE - 1):
            echo = icmp_echo(flow_probe(Protocol.ICMP, family, key, flow), sender)
            assert struct.unpack_from("!H", echo, 6)[0] == key  # the key still travels in the sequence
            checksums.setdefault(flow, set()).add(icmp_checksum(echo, family))
    assert all(len(values) == 1 for values in checksums.values())
    assert len({values.pop() for values in checksums.values()}) == FLOWS_MAX  # one checksum per flow


@pytest.mark.parametrize("family", [4, 6])
def test_ordinary_icmp_probes_are_unchanged(family: int) -> None:
    echo = icmp_echo(flow_probe(Protocol.ICMP, family, 7, 0), identity(family))
    assert echo.endswith(b"tuitrace")


@given(sequence=st.integers(0, 0xFFFF), flow=st.integers(1, FLOWS_MAX))
def test_the_steering_word_makes_the_flows_sum(sequence: int, flow: int) -> None:
    steer = struct.unpack("!H", icmp_steering(sequence, flow))[0]
    total = sequence + steer
    total = (total & 0xFFFF) + (total >> 16)
    assert total % 0xFFFF == flow * 0x0407 % 0xFFFF


def test_udp_flows_go_to_consecutive_ports_and_wrap_below_65536() -> None:
    assert [udp_flow_port(Setting(Protocol.UDP, None), flow) for flow in (1, 2, 8)] == [33434, 33435, 33441]
    wrapped = [udp_flow_port(Setting(Protocol.UDP, 65534), flow) for flow in (1, 2, 3, 4)]
    assert wrapped == [65534, 65535, 1, 2]


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("protocol", list(Protocol))
def test_the_encoder_sends_the_reference_bytes_of_every_flow(family: int, protocol: Protocol) -> None:
    sender = identity(family)
    encoder = ProbeEncoder(sender)
    for flow in range(1, FLOWS + 1):
        for key in (3, 4, 1000, KEY_SPACE - 1):  # the first builds the flow's template, the others reuse it
            probe = flow_probe(protocol, family, key, flow)
            # IPv6 echo: a raw socket leaves the checksum to the kernel, so the encoder sends it as zero
            expected = ip_packet(probe, sender, ttl=4)
            segment = expected[20 if family == 4 else 40 :]
            if protocol is Protocol.ICMP and family == 6:
                segment = segment[:2] + bytes(2) + segment[4:]
            assert encoder.encode(probe) == segment, (flow, key)


@pytest.mark.parametrize("family", [4, 6])
def test_a_tcp_flow_leaves_from_its_own_port_and_is_matched_from_the_quote(family: int) -> None:
    sender = identity(family)
    decoder = IdentityDecoder(sender, family)
    for flow in range(1, FLOWS + 1):
        probe = flow_probe(Protocol.TCP, family, 77 + flow, flow)
        sport = struct.unpack_from("!H", tcp_syn(probe, sender))[0]
        assert sport == tcp_flow_port(40002, flow) == 40001 + flow
        message = build_icmp_error(v6=family == 6, type=ICMP_BY_FAMILY[family].time_exceeded, code=0,
                                   quoted=ip_packet(probe, sender, ttl=1), src=ROUTER[family],
                                   dst=sender.source)
        parsed = parse_icmp4_message(message) if family == 4 else parse_icmp6_message(message)
        assert isinstance(parsed, IcmpError) and parsed.quote is not None
        named = decoder.quoted(parsed.quote)
        assert named is not None and named.key == probe.key


def test_a_port_beyond_our_flows_is_not_ours() -> None:
    ours = identity(4)
    beyond = flow_probe(Protocol.TCP, 4, 5, FLOWS + 1)  # a source port one past our reserved ones
    inside = flow_probe(Protocol.TCP, 4, 5, FLOWS)
    decoder, prefilter = IdentityDecoder(ours, 4), Prefilter(ours, 4)
    for probe, foreign in ((inside, False), (beyond, True)):
        error = build_icmp_error(v6=False, type=11, code=0, quoted=ip_packet(probe, ours, ttl=1))
        packet = build_ipv4(ROUTER[4], ours.source, 1, error, ttl=60)
        assert prefilter.foreign(packet, Layer.ICMP4_IP) is foreign
        parsed = parse_icmp4_message(error)
        assert isinstance(parsed, IcmpError) and parsed.quote is not None
        assert (decoder.quoted(parsed.quote) is None) is foreign
        sport = tcp_flow_port(ours.tcp_port, probe.flow)
        rst = build_tcp(ENDPOINTS[4][1], ours.source, 443, sport, seq=0, ack=0x1000 + 6, flags=RST | ACK)
        packet = build_ipv4(ENDPOINTS[4][1], ours.source, 6, rst, ttl=60)
        assert prefilter.foreign(packet, Layer.TCP4_IP) is foreign
    assert IdentityDecoder(identity(4, tcp_ports=1), 4).probe_marks[6].span == 1


class Flight:
    def __init__(self, probe: Probe) -> None:
        self.probe = probe


def test_a_tcp_answer_must_come_from_its_own_flows_port() -> None:
    """The key names the probe; the source port must be that probe's flow's, or it is not its answer."""
    ours = identity(4)
    matcher = ProbeMatcher(ours, 4, ENDPOINTS[4][1])
    probe = flow_probe(Protocol.TCP, 4, 42, 5)
    in_flight = {probe.key: Flight(probe)}
    for flow, matches in ((5, True), (3, False)):
        quoted = ip_packet(probe._replace(flow=flow), ours, ttl=1)  # the same key from another flow's port
        error = parse_icmp4_message(build_icmp_error(v6=False, type=11, code=0, quoted=quoted))
        assert isinstance(error, IcmpError)
        reply = Reply(ROUTER[4], 1, 64, error)
        assert (matcher.match(reply, in_flight) is not None) is matches
        segment = TcpSegment(443, tcp_flow_port(ours.tcp_port, flow), 0, 0x1000 + 43, RST | ACK)
        answer = Reply(ENDPOINTS[4][1], 1, 64, segment)
        assert (matcher.match(answer, in_flight) is not None) is matches
