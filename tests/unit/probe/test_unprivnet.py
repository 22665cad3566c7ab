"""The unprivileged back-end's parsing and matching, with crafted error-queue bytes; and the sockets on
loopback (the only place unit tests may send to)."""

from __future__ import annotations

import contextlib
import socket
import struct
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuitrace.config import Mode, Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.errors import PrivilegeError
from tuitrace.packet.errors import PacketError
from tuitrace.packet.incoming import IcmpError
from tuitrace.privileges import effective_capabilities, sudo_user
from tuitrace.probe import errqueue
from tuitrace.probe.identity import IdentityDecoder, udp_key_payload
from tuitrace.probe.tracer import Tracer
from tuitrace.probe.types import LocalIdentity, Outcome, Probe, ProbeId, Reply
from tuitrace.probe.unprivnet import UnprivilegedNetwork
from tuitrace.probe.wire import icmp_echo

SOURCE4, TARGET4, ROUTER4 = "192.0.2.1", "198.51.100.9", "203.0.113.7"
SOURCE6, TARGET6, ROUTER6 = "2001:db8::1", "2001:db8:1::9", "2001:db8:2::7"
IDENTITY = LocalIdentity(icmp_id=4242, udp_port=40001, tcp_port=0, source=SOURCE4, tcp_seq_base=0xFFFF_FFF0)
DECODER4 = IdentityDecoder(IDENTITY, 4)


def extended_error(errno: int, origin: int, icmp_type: int, code: int, info: int = 0) -> bytes:
    return struct.pack("=IBBBBII", errno, origin, icmp_type, code, 0, info, 0)


def sockaddr_in(address: str, port: int = 0) -> bytes:
    return struct.pack("=H", socket.AF_INET) + struct.pack("!H", port) + socket.inet_aton(address) + bytes(8)


def sockaddr_in6(address: str, port: int = 0) -> bytes:
    head = struct.pack("=H", socket.AF_INET6) + struct.pack("!HI", port, 0)
    return head + socket.inet_pton(socket.AF_INET6, address) + struct.pack("=I", 0)


def timestamp(ns: int) -> tuple[int, int, bytes]:
    return socket.SOL_SOCKET, errqueue.SO_TIMESTAMPNS, struct.pack("=qq", *divmod(ns, 1_000_000_000))


# -- the error queue's control messages ----------------------------------------------------------------------
def test_a_time_exceeded_names_the_router_that_sent_it() -> None:
    error = errqueue.parse_extended_error(extended_error(113, 2, 11, 0) + sockaddr_in(ROUTER4))
    assert (error.type, error.code, error.offender) == (11, 0, ROUTER4)
    assert error.from_icmp


def test_an_ipv6_offender_is_read_from_a_sockaddr_in6() -> None:
    error = errqueue.parse_extended_error(extended_error(113, 3, 3, 0) + sockaddr_in6(ROUTER6))
    assert error.offender == ROUTER6
    assert error.from_icmp


def test_errors_the_local_stack_raised_are_not_answers() -> None:
    local = errqueue.parse_extended_error(extended_error(90, 1, 0, 0, info=1500) + bytes(16))
    assert local.offender is None
    assert not local.from_icmp


@pytest.mark.parametrize("data", [b"", bytes(15), extended_error(1, 2, 3, 4) + b"\x02"])
def test_a_truncated_extended_error_is_a_packet_error(data: bytes) -> None:
    with pytest.raises(PacketError):
        errqueue.parse_extended_error(data)


def test_ancillary_data_gives_timestamp_ttl_and_error_together() -> None:
    ancillary = [
        timestamp(1_700_000_000_123_456_789),
        (socket.IPPROTO_IP, errqueue.IP_TTL_CMSG, struct.pack("=i", 61)),
        (socket.IPPROTO_IP, errqueue.IP_RECVERR, extended_error(113, 2, 11, 0) + sockaddr_in(ROUTER4)),
        (socket.SOL_SOCKET, 99, b"ignored"),
    ]
    info = errqueue.parse_ancillary(ancillary)
    assert info.rx_ns == 1_700_000_000_123_456_789
    assert info.ttl == 61
    assert info.error is not None and info.error.offender == ROUTER4


def test_ipv6_hop_limit_is_the_reply_ttl() -> None:
    info = errqueue.parse_ancillary([(socket.IPPROTO_IPV6, errqueue.IPV6_HOPLIMIT, struct.pack("=i", 63))])
    assert (info.ttl, info.error, info.rx_ns) == (63, None, None)


@given(st.binary(max_size=64))
def test_any_error_message_bytes_parse_or_raise_packet_error(data: bytes) -> None:
    with contextlib.suppress(PacketError):
        errqueue.parse_ancillary([(socket.IPPROTO_IPV6, errqueue.IPV6_RECVERR, data)])


def test_fragmentation_needed_carries_the_next_hop_mtu() -> None:
    too_big = errqueue.parse_extended_error(extended_error(90, 2, 3, 4, info=1400) + sockaddr_in(ROUTER4))
    expired = errqueue.parse_extended_error(extended_error(113, 2, 11, 0, info=0) + sockaddr_in(ROUTER4))
    assert errqueue.icmp_error(4, too_big).mtu == 1400
    assert errqueue.icmp_error(4, expired).mtu is None
    v6_too_big = errqueue.parse_extended_error(extended_error(90, 3, 2, 0, info=1280) + sockaddr_in6(ROUTER6))
    assert errqueue.icmp_error(6, v6_too_big).mtu == 1280


def test_an_error_from_the_queue_carries_no_made_up_quote() -> None:
    expired = errqueue.parse_extended_error(extended_error(113, 2, 11, 0) + sockaddr_in(ROUTER4))
    assert errqueue.icmp_error(4, expired) == IcmpError(type=11, code=0, mtu=None, quote=None)


# -- our keys, sent and read back ---------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "extra"), [(0, 0), (1, 3), (65533, 20)])
def test_the_udp_payload_gives_back_the_probe_key(key: int, extra: int) -> None:
    payload = udp_key_payload(key, extra)
    assert len(payload) == 2 + extra
    assert DECODER4.returned_udp(payload, 53) == ProbeId(key, Protocol.UDP, 53)


def test_a_router_that_quoted_no_payload_cannot_name_the_probe() -> None:
    with pytest.raises(PacketError):
        DECODER4.returned_udp(b"\x01", 53)


def test_the_returned_echo_request_names_the_probe_by_its_sequence() -> None:
    decoder = IdentityDecoder(replace(IDENTITY, icmp_id=0x5820, source=SOURCE6), 6)
    returned = bytes.fromhex("800075d6582000017475697472616365")
    assert decoder.returned_echo(returned) == ProbeId(1, Protocol.ICMP, 0)
    with pytest.raises(PacketError):
        DECODER4.returned_echo(bytes.fromhex("0000b3b098980006"))  # an echo *reply*
    with pytest.raises(PacketError):
        DECODER4.returned_echo(b"\x08\x00\x00")
    with pytest.raises(PacketError):  # another socket's echo request
        DECODER4.returned_echo(bytes.fromhex("0800b3b098980006"))


# -- the tracer resolves the probe that the back-end names ---------------------------------------------------
def in_flight(protocol: Protocol, port: int | None) -> tuple[Tracer, Probe]:
    config = TraceConfig(target=TARGET4, family=4, setting=Setting(protocol, port), max_ttl=3, count=1)
    tracer = Tracer(config, IDENTITY)
    tracer.start(0)
    probes = tracer.poll(0)
    for probe in probes:
        tracer.sent(probe, 0)
    return tracer, probes[1]


def time_exceeded(named: ProbeId) -> Reply:
    error = errqueue.parse_extended_error(extended_error(113, 2, 11, 0) + sockaddr_in(ROUTER4))
    return Reply(ROUTER4, 5_000_000, 62, errqueue.icmp_error(4, error), named)


def test_an_icmp_error_on_the_ping_socket_resolves_the_probe_it_returned() -> None:
    tracer, probe = in_flight(Protocol.ICMP, None)
    returned = icmp_echo(probe, IDENTITY)
    assert tracer.on_reply(time_exceeded(DECODER4.returned_echo(returned)))
    (result,) = tracer.take_results()
    assert (result.ttl, result.outcome, result.responder, result.reply_ttl) == (2, Outcome.TIME_EXCEEDED,
                                                                               ROUTER4, 62)
    assert result.rtt_ns == 5_000_000


def test_a_udp_error_resolves_the_probe_whose_key_the_payload_carries() -> None:
    tracer, probe = in_flight(Protocol.UDP, None)  # classic UDP: the port says which probe too
    named = DECODER4.returned_udp(udp_key_payload(probe.key), probe.dport)
    assert tracer.on_reply(time_exceeded(named))
    assert [r.ttl for r in tracer.take_results()] == [probe.ttl]


def test_a_udp_error_with_a_payload_from_another_probe_does_not_match() -> None:
    tracer, probe = in_flight(Protocol.UDP, None)
    wrong = udp_key_payload(probe.key + 1)  # in flight, but sent to another port
    assert not tracer.on_reply(time_exceeded(DECODER4.returned_udp(wrong, probe.dport)))
    assert tracer.take_results() == []


def test_a_tcp_error_on_a_probe_socket_resolves_that_probe() -> None:
    tracer, probe = in_flight(Protocol.TCP, 443)
    reply = time_exceeded(ProbeId(probe.key, Protocol.TCP, probe.dport))
    assert isinstance(reply.message, IcmpError)
    assert tracer.on_reply(reply)
    assert [(r.ttl, r.outcome) for r in tracer.take_results()] == [(probe.ttl, Outcome.TIME_EXCEEDED)]


def test_a_connect_the_target_answered_reaches_the_probe_of_that_socket() -> None:
    tracer, probe = in_flight(Protocol.TCP, 443)
    answer = Reply(TARGET4, 7_000_000, None, None, ProbeId(probe.key, Protocol.TCP, 443))
    assert tracer.on_reply(answer)
    (result,) = tracer.take_results()
    assert (result.ttl, result.outcome, result.responder, result.rtt_ns) == (2, Outcome.REACHED, TARGET4,
                                                                             7_000_000)


# -- what does not parse is counted, up to the snapshot -----------------------------------------------------
Entry = tuple[bytes, list[tuple[int, int, bytes]], int, tuple[str, int]]


class QueuedErrors:
    """A socket whose error queue holds the given ``recvmsg`` results, then nothing."""

    def __init__(self, entries: list[Entry]) -> None:
        self._entries = list(entries)

    def recvmsg(self, _size: int, _ancsize: int, _flags: int = 0) -> Entry:
        if not self._entries:
            raise BlockingIOError
        return self._entries.pop(0)


def test_malformed_error_queue_entries_are_counted_in_the_snapshot() -> None:
    recverr = (socket.IPPROTO_IP, errqueue.IP_RECVERR)
    expired = extended_error(113, 2, 11, 0) + sockaddr_in("127.0.0.1")
    local = extended_error(90, 1, 0, 0, info=1500) + bytes(16)  # the local stack's own: skipped
    queue = QueuedErrors([
        (udp_key_payload(5), [(*recverr, expired)], 0, ("127.0.0.1", 33434)),  # well formed: a reply
        (udp_key_payload(5), [(*recverr, expired[:10])], 0, ("127.0.0.1", 33434)),  # truncated summary
        (b"\x01", [(*recverr, expired)], 0, ("127.0.0.1", 33434)),  # too little quoted to name the probe
        (b"", [(*recverr, local)], 0, ("127.0.0.1", 33434)),
    ])
    config = TraceConfig(target="127.0.0.1", family=4, setting=Setting(Protocol.UDP, None), count=1,
                         max_ttl=1, wait=1.0)
    network = UnprivilegedNetwork(4, "127.0.0.1", wait=config.wait)
    engine = Engine(config, network)
    try:
        replies: list[Reply] = []
        network._drain_errors(queue, network._decoder.returned_udp, replies)  # type: ignore[arg-type]
        assert [r.probe for r in replies] == [ProbeId(5, Protocol.UDP, 33434)]
        engine.run()
        snapshot = engine.snapshot()
    finally:
        engine.stop()
    assert snapshot.reached
    assert snapshot.dropped == 2


# -- privileges: what the process reads about itself --------------------------------------------------------
def test_sudo_user_is_taken_from_the_sudo_variables_only_for_another_user() -> None:
    assert sudo_user({"SUDO_UID": "1000", "SUDO_GID": "1001"}) == (1000, 1001)
    assert sudo_user({"SUDO_UID": "0", "SUDO_GID": "0"}) is None
    assert sudo_user({"SUDO_UID": "1000"}) is None
    assert sudo_user({}) is None


def test_effective_capabilities_are_read_from_proc_status() -> None:
    status = "Name:\tpython3\nCapPrm:\t0000000000002000\nCapEff:\t0000000000002000\n"
    assert effective_capabilities(status) == 1 << 13  # CAP_NET_RAW


# -- the sockets, on loopback --------------------------------------------------------------------------------
@pytest.mark.parametrize(("family", "target"), [(4, "127.0.0.1"), (6, "::1")])
@pytest.mark.parametrize(("protocol", "port"), [(Protocol.UDP, None), (Protocol.UDP, 9), (Protocol.TCP, 9)])
def test_loopback_is_reached_without_raw_sockets(family: int, target: str, protocol: Protocol,
                                                 port: int | None) -> None:
    config = TraceConfig(target=target, family=family, setting=Setting(protocol, port), count=2,
                         interval=0.05, wait=1.0, max_ttl=4)
    network = UnprivilegedNetwork(family, target, wait=config.wait)
    engine = Engine(config, network)
    try:
        engine.run()
        snapshot = engine.snapshot()
    finally:
        engine.stop()
    assert snapshot.mode is Mode.UNPRIVILEGED
    assert snapshot.reached
    (hop,) = snapshot.hops
    assert (hop.sent, hop.received) == (2, 2)
    assert [r.address for r in hop.responders] == [target]


def test_icmp_without_ping_sockets_is_a_one_line_privilege_error() -> None:
    network = UnprivilegedNetwork(4, "127.0.0.1")
    try:
        if network.icmp_allowed:
            pytest.skip("this process may open ping sockets (net.ipv4.ping_group_range includes its group)")
        with pytest.raises(PrivilegeError, match="ping_group_range") as caught:
            network.prepare(Setting(Protocol.ICMP, None))
        assert "\n" not in str(caught.value)
    finally:
        network.close()
