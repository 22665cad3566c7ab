"""The identity codec: what a probe carries decodes back to that probe, through the real bytes a router or
the target sends; what another process's probes carry, or no probe's, decodes to nothing; and the prefilter
and the matcher agree with it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuitrace.config import Protocol, Setting
from tuitrace.packet.constants import ICMP_BY_FAMILY
from tuitrace.packet.icmp import build_echo, build_icmp_error
from tuitrace.packet.incoming import (
    EchoReply,
    IcmpError,
    TcpSegment,
    parse_icmp4_message,
    parse_icmp6_message,
)
from tuitrace.packet.ipv4 import build_ipv4
from tuitrace.packet.quote import Quote
from tuitrace.packet.tcp import ACK, RST, SYN, build_tcp
from tuitrace.probe.identity import IdentityDecoder, icmp_sequence, tcp_acknowledgement, udp_key_payload
from tuitrace.probe.matching import ProbeMatcher
from tuitrace.probe.network import Layer
from tuitrace.probe.prefilter import Prefilter
from tuitrace.probe.types import KEY_SPACE, LocalIdentity, Probe, ProbeId, Reply
from tuitrace.probe.wire import ECHO_PAYLOAD, icmp_echo, ip_packet

ENDPOINTS = {4: ("192.0.2.1", "198.51.100.9"), 6: ("2001:db8::1", "2001:db8:1::9")}
ROUTER = {4: "203.0.113.7", 6: "2001:db8:2::7"}
FAMILIES = [4, 6]


def identity(family: int, *, icmp_id: int = 0x5454, udp_port: int = 40001, tcp_port: int = 40002,
             seq_base: int = 0xFFFF_FF00) -> LocalIdentity:
    return LocalIdentity(icmp_id=icmp_id, udp_port=udp_port, tcp_port=tcp_port, source=ENDPOINTS[family][0],
                         tcp_seq_base=seq_base)


def make_probe(protocol: Protocol, family: int, key: int, dport: int = 33434) -> Probe:
    port = 0 if protocol is Protocol.ICMP else dport
    return Probe(key, 3, Setting(protocol, port or None), 0, ENDPOINTS[family][1], family, port)


def quote_of(probe: Probe, sender: LocalIdentity) -> Quote:
    """The quote a router's time-exceeded carries for ``probe`` sent by ``sender``, parsed from its bytes."""
    family = probe.family
    quoted = ip_packet(probe, sender, ttl=1)
    message = build_icmp_error(v6=family == 6, type=ICMP_BY_FAMILY[family].time_exceeded, code=0,
                               quoted=quoted, src=ROUTER[family], dst=sender.source)
    parsed = parse_icmp4_message(message) if family == 4 else parse_icmp6_message(message)
    assert isinstance(parsed, IcmpError) and parsed.quote is not None
    return parsed.quote


def named(probe: Probe) -> ProbeId:
    return ProbeId(probe.key, probe.setting.protocol, probe.dport)


# -- round trips: encode, send through the real bytes, decode ------------------------------------------------
@given(protocol=st.sampled_from(list(Protocol)), family=st.sampled_from(FAMILIES),
       key=st.integers(0, KEY_SPACE - 1), dport=st.integers(1, 0xFFFF), seq_base=st.integers(0, 0xFFFF_FFFF))
def test_a_quoted_probe_decodes_to_itself(protocol: Protocol, family: int, key: int, dport: int,
                                          seq_base: int) -> None:
    ours = identity(family, seq_base=seq_base)
    probe = make_probe(protocol, family, key, dport)
    assert IdentityDecoder(ours, family).quoted(quote_of(probe, ours)) == named(probe)


@given(family=st.sampled_from(FAMILIES), key=st.integers(0, KEY_SPACE - 1))
def test_an_echo_reply_decodes_to_the_echo_request(family: int, key: int) -> None:
    ours = identity(family)
    target, source = ENDPOINTS[family][1], ENDPOINTS[family][0]
    reply = build_echo(v6=family == 6, ident=ours.icmp_id, seq=icmp_sequence(key), payload=ECHO_PAYLOAD,
                       reply=True, src=target, dst=source)
    parsed = parse_icmp4_message(reply) if family == 4 else parse_icmp6_message(reply)
    assert isinstance(parsed, EchoReply)
    assert IdentityDecoder(ours, family).echo_reply(parsed) == ProbeId(key, Protocol.ICMP, 0)


@pytest.mark.parametrize("flags", [SYN | ACK, RST | ACK, RST])
@given(family=st.sampled_from(FAMILIES), key=st.integers(0, KEY_SPACE - 1),
       seq_base=st.integers(0, 0xFFFF_FFFF))
def test_the_targets_tcp_answer_decodes_to_the_syn(flags: int, family: int, key: int, seq_base: int) -> None:
    ours = identity(family, seq_base=seq_base)
    answer = TcpSegment(443, ours.tcp_port, 0x2000, tcp_acknowledgement(key, ours), flags)
    assert IdentityDecoder(ours, family).tcp_answer(answer) == ProbeId(key, Protocol.TCP, 443)


@given(family=st.sampled_from(FAMILIES), key=st.integers(0, KEY_SPACE - 1), extra=st.integers(0, 40))
def test_what_the_error_queue_returns_decodes_to_the_probe(family: int, key: int, extra: int) -> None:
    ours = identity(family)
    decoder = IdentityDecoder(ours, family)
    assert decoder.returned_udp(udp_key_payload(key, extra), 53) == ProbeId(key, Protocol.UDP, 53)
    echo = icmp_echo(make_probe(Protocol.ICMP, family, key), ours)
    assert decoder.returned_echo(echo) == ProbeId(key, Protocol.ICMP, 0)


# -- foreign values decode to nothing ------------------------------------------------------------------------
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("protocol", list(Protocol))
def test_another_processes_probes_decode_to_nothing(family: int, protocol: Protocol) -> None:
    ours = identity(family)
    other = identity(family, icmp_id=0x1111, udp_port=50001, tcp_port=50002)
    probe = make_probe(protocol, family, 7)
    assert IdentityDecoder(ours, family).quoted(quote_of(probe, other)) is None


@pytest.mark.parametrize("family", FAMILIES)
def test_values_no_probe_carries_decode_to_nothing(family: int) -> None:
    ours = identity(family)
    decoder = IdentityDecoder(ours, family)
    src, dst = ENDPOINTS[family]
    udp = Quote(family, 17, src, dst, 1, 0, sport=ours.udp_port, dport=33434)
    for checksum in (0, 0xFFFF):  # "no checksum", and key + 1 for a key beyond the key space
        assert decoder.quoted(replace(udp, checksum=checksum)) is None
    tcp = Quote(family, 6, src, dst, 1, 0, sport=ours.tcp_port, dport=443)
    assert decoder.quoted(replace(tcp, tcp_seq=(ours.tcp_seq_base + KEY_SPACE) & 0xFFFF_FFFF)) is None
    assert decoder.quoted(replace(tcp, tcp_seq=(ours.tcp_seq_base - 1) & 0xFFFF_FFFF)) is None
    icmp = ICMP_BY_FAMILY[family]
    echo = Quote(family, icmp.protocol, src, dst, 1, 0, icmp_type=icmp.echo_request, icmp_id=ours.icmp_id)
    assert decoder.quoted(replace(echo, icmp_seq=KEY_SPACE)) is None
    assert decoder.quoted(replace(echo, icmp_type=icmp.echo_reply)) is None  # a quoted reply is no probe
    assert decoder.quoted(replace(udp, protocol=47, checksum=8)) is None  # GRE
    assert decoder.echo_reply(EchoReply(ours.icmp_id, 0xFFFF)) is None
    assert decoder.echo_reply(EchoReply(ours.icmp_id + 1, 3)) is None
    ack = tcp_acknowledgement(3, ours)
    assert decoder.tcp_answer(TcpSegment(443, ours.tcp_port, 0, ack, ACK)) is None  # neither SYN-ACK nor RST
    assert decoder.tcp_answer(TcpSegment(443, ours.tcp_port + 1, 0, ack, RST)) is None
    assert decoder.tcp_answer(TcpSegment(443, ours.tcp_port, 0, ours.tcp_seq_base, RST)) is None  # key -1


# -- the prefilter and the matcher read the same marks -------------------------------------------------------
@pytest.mark.parametrize("protocol", list(Protocol))
def test_the_prefilter_passes_our_errors_and_drops_anothers(protocol: Protocol) -> None:
    ours, other = identity(4), identity(4, icmp_id=0x1111, udp_port=50001, tcp_port=50002)
    prefilter = Prefilter(ours, 4)
    for sender, foreign in ((ours, False), (other, True)):
        quoted = ip_packet(make_probe(protocol, 4, 9), sender, ttl=1)
        error = build_icmp_error(v6=False, type=11, code=0, quoted=quoted)
        packet = build_ipv4(ROUTER[4], ours.source, 1, error, ttl=62)
        assert prefilter.foreign(packet, Layer.ICMP4_IP) is foreign


def test_the_prefilter_passes_our_answers_and_drops_anothers() -> None:
    ours, other = identity(6), identity(6, icmp_id=0x1111, udp_port=50001, tcp_port=50002)
    prefilter = Prefilter(ours, 6)
    target, source = ENDPOINTS[6][1], ENDPOINTS[6][0]
    for sender, foreign in ((ours, False), (other, True)):
        echo = build_echo(v6=True, ident=sender.icmp_id, seq=4, reply=True, src=target, dst=source)
        assert prefilter.foreign(echo, Layer.ICMP6) is foreign
        rst = build_tcp(target, source, 443, sender.tcp_port, seq=0, ack=5, flags=RST | ACK)
        assert prefilter.foreign(rst, Layer.TCP6) is foreign


class Flight:
    def __init__(self, probe: Probe) -> None:
        self.probe = probe


def test_the_matcher_wants_the_named_probe_in_flight_with_its_protocol_and_port() -> None:
    ours = identity(4)
    matcher = ProbeMatcher(ours, 4, ENDPOINTS[4][1])
    probe = make_probe(Protocol.UDP, 4, 12, dport=33446)
    in_flight = {probe.key: Flight(probe)}
    expired = build_icmp_error(v6=False, type=11, code=0, quoted=ip_packet(probe, ours, ttl=1))
    message = parse_icmp4_message(expired)
    assert matcher.match(Reply(ROUTER[4], 1, 62, message), in_flight) is in_flight[12]
    assert matcher.match(Reply(ROUTER[4], 1, 62, message), {}) is None
    def naming(protocol: Protocol, dport: int) -> Reply:
        return Reply(ROUTER[4], 1, 62, None, ProbeId(12, protocol, dport))

    assert matcher.match(naming(Protocol.UDP, 33446), in_flight) is in_flight[12]
    assert matcher.match(naming(Protocol.TCP, 33446), in_flight) is None
    assert matcher.match(naming(Protocol.UDP, 33447), in_flight) is None


def test_the_matcher_wants_our_addresses() -> None:
    ours = identity(4)
    matcher = ProbeMatcher(ours, 4, ENDPOINTS[4][1])
    probe = make_probe(Protocol.ICMP, 4, 12)
    in_flight = {probe.key: Flight(probe)}
    elsewhere = replace(ours, source="192.0.2.99")  # a probe of "ours" from another source address
    expired = build_icmp_error(v6=False, type=11, code=0, quoted=ip_packet(probe, elsewhere, ttl=1))
    assert matcher.match(Reply(ROUTER[4], 1, 62, parse_icmp4_message(expired)), in_flight) is None
    echo = EchoReply(ours.icmp_id, icmp_sequence(12))
    assert matcher.match(Reply(ENDPOINTS[4][1], 1, 60, echo), in_flight) is in_flight[12]
    assert matcher.match(Reply(ROUTER[4], 1, 60, echo), in_flight) is None  # only the target echoes
