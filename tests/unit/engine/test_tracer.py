"""Edge cases of the tracer and engine that a user would notice, on the simulated network."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.defaults import MAX_HOPS
from tuitrace.engine.engine import Engine
from tuitrace.errors import PrivilegeError
from tuitrace.packet.icmp import build_echo, build_icmp_error
from tuitrace.packet.ipv4 import build_ipv4
from tuitrace.packet.tcp import ACK, RST, build_tcp
from tuitrace.probe.network import Layer, Received
from tuitrace.probe.rounds import NS
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.tracer import Tracer
from tuitrace.probe.types import KEY_SPACE, LocalIdentity, Outcome, Probe
from tuitrace.probe.wire import ip_packet

SOURCE, TARGET = "192.0.2.1", "198.51.100.9"
ROUTERS = ["192.0.2.254", "203.0.113.1", "203.0.113.5"]


class StrayPackets(SimNetwork):
    """The simulated network, plus packets that answer none of our probes (another tracer's, garbage)."""

    def inject(self, at_ns: int, packet: Received) -> None:
        self._push(at_ns, packet)


def three_hops(**target: object) -> StrayPackets:
    data = {
        "path": {"family": 4, "source": SOURCE, "target": TARGET},
        "hop": [{"responders": [r], "rtt_ms": 1.0 + i} for i, r in enumerate(ROUTERS)],
        "target": {"rtt_ms": 10.0, "tcp": "open", **target},
    }
    return StrayPackets(parse_scenario(data))


def engine_for(network: SimNetwork, **config: object) -> Engine:
    base = TraceConfig(target=TARGET, family=4, count=5)
    return Engine(replace(base, **config), network)  # type: ignore[arg-type]


def test_first_round_puts_every_ttl_in_flight_at_once() -> None:
    network = three_hops()
    engine = engine_for(network, count=1, max_ttl=30)
    engine.run()
    times = {at for at, _probe in network.sent}
    assert len(network.sent) == 30
    assert len(times) == 1
    assert [h.received for h in engine.snapshot().hops] == [1, 1, 1, 1]


def test_no_ttl_beyond_the_destination_once_it_is_known() -> None:
    network = three_hops()
    engine = engine_for(network, count=6)
    engine.run()
    later = [probe.ttl for _at, probe in network.sent if probe.round > 0]
    assert later and max(later) == 4
    assert engine.snapshot().path_length == 4


def test_sendwait_spaces_the_probes_of_a_round() -> None:
    network = three_hops()
    engine = engine_for(network, count=2, sendwait=0.05, max_ttl=6)
    engine.run()
    times = [at for at, _probe in network.sent]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 50_000_000


def test_switching_protocol_keeps_each_settings_statistics() -> None:
    network = three_hops()
    engine = engine_for(network, count=3)
    engine.run()
    icmp_before = engine.snapshot()
    engine.set_protocol(Protocol.TCP, 443)
    engine.run()
    tcp = engine.snapshot()
    assert tcp.setting == Setting(Protocol.TCP, 443)
    assert tcp.rounds == 3
    assert tcp.reached
    engine.set_protocol(Protocol.ICMP, None)
    engine.run()
    icmp_after = engine.snapshot()
    assert icmp_after.setting == Setting(Protocol.ICMP, None)
    assert [h.received for h in icmp_after.hops] == [h.received for h in icmp_before.hops]
    assert icmp_after.settings == (Setting(Protocol.ICMP, None), Setting(Protocol.TCP, 443))


def test_reset_forgets_only_the_active_setting() -> None:
    network = three_hops()
    engine = engine_for(network, count=2)
    engine.run()
    engine.reset()
    engine.run()  # applies the reset; two more rounds are allowed after it
    snapshot = engine.snapshot()
    assert all(h.sent == 2 for h in snapshot.hops)


def _other_process() -> LocalIdentity:
    return LocalIdentity(icmp_id=0x1111, udp_port=50001, tcp_port=50002, source=SOURCE, tcp_seq_base=0x1000)


def test_replies_to_another_tracer_of_the_same_target_never_count() -> None:
    network = three_hops()
    engine = engine_for(network, count=3, setting=Setting(Protocol.UDP, None))
    other = _other_process()
    # Another tuitrace (other ports, other ICMP id) probing the same target: its errors arrive here too,
    # with keys that our in-flight probes also use.
    for key in range(40):
        for protocol, port in ((Protocol.UDP, 33434 + key % 100), (Protocol.ICMP, 0), (Protocol.TCP, 80)):
            probe = Probe(key, 2, Setting(protocol, port or None), 0, TARGET, 4, port)
            quoted = ip_packet(probe, other, ttl=1)[:28]
            error = build_icmp_error(v6=False, type=11, code=0, quoted=quoted)
            network.inject(
                network.now_ns() + 1_000,
                Received(build_ipv4(ROUTERS[1], SOURCE, 1, error, ttl=63), Layer.ICMP4_IP, 0),
            )
        echo = build_echo(v6=False, ident=other.icmp_id, seq=key, reply=True)
        network.inject(
            network.now_ns() + 2_000, Received(build_ipv4(TARGET, SOURCE, 1, echo, ttl=60), Layer.ICMP4_IP, 0)
        )
        rst = build_tcp(TARGET, SOURCE, 80, other.tcp_port, seq=0, ack=key + 1, flags=RST | ACK)
        network.inject(
            network.now_ns() + 3_000, Received(build_ipv4(TARGET, SOURCE, 6, rst, ttl=60), Layer.TCP4_IP, 0)
        )
    engine.run()
    snapshot = engine.snapshot()
    assert snapshot.dropped == 40 * 5
    for hop in snapshot.hops:
        assert hop.sent == 3 and hop.received == 3, hop.ttl
        assert len(hop.responders) == 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=80), max_size=12))
def test_garbage_from_the_network_is_counted_and_dropped(garbage: list[bytes]) -> None:
    network = three_hops()
    engine = engine_for(network, count=2)
    for i, data in enumerate(garbage):
        layer = (Layer.ICMP4_IP, Layer.TCP4_IP)[i % 2]
        network.inject(network.now_ns() + i, Received(data, layer, 0))
    engine.run()
    snapshot = engine.snapshot()
    assert snapshot.dropped == len(garbage)
    assert [h.received for h in snapshot.hops] == [2, 2, 2, 2]


def test_lost_probes_count_only_after_the_wait() -> None:
    network = three_hops(icmp="silent")
    engine = engine_for(network, count=1, max_ttl=5, wait=3.0)
    engine.run()
    snapshot = engine.snapshot()
    assert not snapshot.reached
    assert [h.ttl for h in snapshot.hops] == [1, 2, 3, 4]
    assert snapshot.hops[-1].sent == 1 and snapshot.hops[-1].received == 0
    assert network.now_ns() - network.sent[0][0] >= 3_000_000_000


def test_pause_sends_nothing_until_resumed() -> None:
    identity = LocalIdentity(icmp_id=7, udp_port=40001, tcp_port=40002, source=SOURCE)
    tracer = Tracer(TraceConfig(target=TARGET, family=4, max_ttl=4), identity)
    tracer.start(0)
    assert [p.ttl for p in tracer.poll(0)] == [1, 2, 3, 4]
    tracer.pause()
    assert all(tracer.poll(t * NS) == [] for t in range(1, 10))
    tracer.resume(10 * NS)
    assert [p.ttl for p in tracer.poll(10 * NS)] == [1, 2, 3, 4]


def test_interval_paces_rounds() -> None:
    identity = LocalIdentity(icmp_id=7, udp_port=40001, tcp_port=40002, source=SOURCE)
    tracer = Tracer(TraceConfig(target=TARGET, family=4, max_ttl=2, interval=0.5, wait=10), identity)
    tracer.start(0)
    rounds = [t for t in range(0, 3 * NS, NS // 10) if tracer.poll(t)]
    assert rounds == [0, NS // 2, NS, 3 * NS // 2, 2 * NS, 5 * NS // 2]


def test_key_space_wraps_without_mixing_probes() -> None:
    identity = LocalIdentity(icmp_id=7, udp_port=40001, tcp_port=40002, source=SOURCE)
    tracer = Tracer(TraceConfig(target=TARGET, family=4, max_ttl=255, interval=0.001, wait=3600), identity)
    tracer.start(0)
    sent = 0
    now = 0
    while sent < KEY_SPACE + 300:
        for probe in tracer.poll(now):
            tracer.sent(probe, now)
            sent += 1
        now += NS // 1000
    lost = [r for r in tracer.take_results() if r.outcome is Outcome.LOST]
    assert len(lost) == sent - KEY_SPACE  # only the probes whose key was reused are given up


def test_a_protocol_the_network_refuses_keeps_the_current_one() -> None:
    class NoIcmp(SimNetwork):
        def prepare(self, setting: Setting) -> None:
            if setting.protocol is Protocol.ICMP:
                raise PrivilegeError("ping sockets are not allowed")

    network = NoIcmp(three_hops()._scenario)
    engine = engine_for(network, count=2, setting=Setting(Protocol.UDP, 53))
    engine.set_protocol(Protocol.ICMP, None)
    engine.run()
    assert engine.snapshot().setting == Setting(Protocol.UDP, 53)
    assert engine.take_messages() == ["cannot trace ICMP: ping sockets are not allowed"]
    assert engine.take_messages() == []


def test_the_tracer_takes_ttls_inside_the_max_hops_bound_and_no_further() -> None:
    identity = LocalIdentity(icmp_id=1, udp_port=2, tcp_port=3, source=SOURCE)
    highest = int(MAX_HOPS.high)
    assert Tracer(TraceConfig(target=TARGET, family=4, first_ttl=highest, max_ttl=highest), identity)
    with pytest.raises(ValueError, match=f"max TTL <= {highest}"):
        Tracer(TraceConfig(target=TARGET, family=4, max_ttl=highest + 1), identity)
