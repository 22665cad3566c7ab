"""``--packet-size`` / ``packet_len`` is the whole probe as it leaves the machine, IP header included, as
traceroute means it; the same length for every protocol, and the smallest probe when less is asked."""

from __future__ import annotations

import pytest

from tuitrace.config import Protocol, Setting, TraceConfig, smallest_probe
from tuitrace.probe.tracer import Tracer
from tuitrace.probe.types import LocalIdentity, Probe
from tuitrace.probe.wire import ProbeEncoder, ip_packet

ENDPOINTS = {4: ("192.0.2.1", "198.51.100.9"), 6: ("2001:db8::1", "2001:db8:1::9")}
IP_HEADER = {4: 20, 6: 40}
SETTINGS = [Setting(Protocol.ICMP, None), Setting(Protocol.UDP, None), Setting(Protocol.UDP, 53),
            Setting(Protocol.TCP, 443)]


def first_probes(config: TraceConfig) -> list[Probe]:
    identity = LocalIdentity(0x1234, 40001, 40002, ENDPOINTS[config.family][0], 77)
    tracer = Tracer(config, identity)
    tracer.start(0)
    return tracer.poll(0)


@pytest.mark.parametrize("family", [4, 6])
@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("length", [0, 60, 80, 1000])
def test_every_probe_on_the_wire_has_the_asked_length(family: int, setting: Setting, length: int) -> None:
    source, target = ENDPOINTS[family]
    config = TraceConfig(target=target, family=family, setting=setting, max_ttl=3, packet_len=length)
    probes = first_probes(config)
    assert probes
    identity = LocalIdentity(0x1234, 40001, 40002, source, 77)
    encoder = ProbeEncoder(identity)
    expected = max(length, smallest_probe(setting.protocol, family))
    for probe in probes:
        assert len(ip_packet(probe, identity, ttl=probe.ttl)) == expected
        assert IP_HEADER[family] + len(encoder.encode(probe)) == expected  # what a raw socket sends


def test_the_length_is_kept_when_the_protocol_changes_live() -> None:
    source, target = ENDPOINTS[4]
    identity = LocalIdentity(0x1234, 40001, 40002, source, 77)
    tracer = Tracer(TraceConfig(target=target, family=4, max_ttl=2, packet_len=100), identity)
    tracer.start(0)
    for number, setting in enumerate(SETTINGS[1:], start=1):
        tracer.set_setting(setting, number * 10**9)
        probes = tracer.poll(number * 10**9)
        assert probes and {len(ip_packet(p, identity, ttl=p.ttl)) for p in probes} == {100}


def test_smallest_probes_are_tracerouteish() -> None:
    assert smallest_probe(Protocol.ICMP, 4) == 36
    assert smallest_probe(Protocol.UDP, 4) == 30
    assert smallest_probe(Protocol.TCP, 6) == 60
