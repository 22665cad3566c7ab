"""The raw back-end sends probes built from templates: they must be byte for byte the probes that the
reference builders make, or routers would quote checksums and sequences that match no probe in flight."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuitrace.config import Protocol, Setting
from tuitrace.probe.types import KEY_SPACE, LocalIdentity, Probe
from tuitrace.probe.wire import ProbeEncoder, icmp_echo, tcp_syn, udp_datagram

ENDPOINTS = {4: ("192.0.2.1", "198.51.100.9"), 6: ("2001:db8::1", "2001:db8:1::9")}
REFERENCE = {Protocol.ICMP: icmp_echo, Protocol.UDP: udp_datagram, Protocol.TCP: tcp_syn}


def probe(protocol: Protocol, family: int, key: int, dport: int, payload_len: int) -> Probe:
    port = None if protocol is Protocol.ICMP else dport
    return Probe(key, 7, Setting(protocol, port), 0, ENDPOINTS[family][1], family, dport, 0, payload_len)


@given(
    protocol=st.sampled_from(list(Protocol)),
    family=st.sampled_from([4, 6]),
    keys=st.lists(st.integers(0, KEY_SPACE - 1), min_size=1, max_size=20),
    dport=st.integers(1, 0xFFFF),
    payload_len=st.integers(0, 64),
    icmp_id=st.integers(1, 0xFFFF),
    seq_base=st.integers(0, 0xFFFF_FFFF),
)
def test_templated_probes_are_the_reference_bytes(
    protocol: Protocol,
    family: int,
    keys: list[int],
    dport: int,
    payload_len: int,
    icmp_id: int,
    seq_base: int,
) -> None:
    identity = LocalIdentity(icmp_id, 40001, 40002, ENDPOINTS[family][0], seq_base)
    encoder = ProbeEncoder(identity)
    port = 0 if protocol is Protocol.ICMP else dport
    for key in keys:  # the first probe builds the template, the others reuse it
        sent = probe(protocol, family, key, port, payload_len)
        assert encoder.encode(sent) == REFERENCE[protocol](sent, identity)


@pytest.mark.parametrize("protocol", list(Protocol))
def test_every_key_gets_its_own_checksum_right(protocol: Protocol) -> None:
    """The checksum arithmetic has edge cases (end-around carries, a sum of exactly 0x1FFFF for TCP, which
    the high sequence half 0xFFFF makes certain to occur): try every key."""
    identity = LocalIdentity(0xFFFF, 40001, 40002, ENDPOINTS[4][0], 0xFFFF_0000)
    encoder = ProbeEncoder(identity)
    dport = {Protocol.ICMP: 0, Protocol.UDP: 33434, Protocol.TCP: 80}[protocol]
    for key in range(KEY_SPACE):
        sent = probe(protocol, 4, key, dport, 0)
        assert encoder.encode(sent) == REFERENCE[protocol](sent, identity)
