"""``-q`` and ``--mtu`` in the sans-I/O tracer: probes per hop, probes that shrink, where F=<mtu> shows."""

from __future__ import annotations

from tuitrace.packet.incoming import EchoReply, IcmpError
from tuitrace.packet.quote import Quote
from tuitrace.probe.pmtu import PathMtu
from tuitrace.probe.tracer import Tracer
from tuitrace.probe.types import Outcome, Probe, Reply

from .tracer_steps import IDENTITY, SOURCE, TARGET, send_round, started_tracer

ROUTERS = {1: "203.0.113.1", 2: "203.0.113.2", 3: "203.0.113.3", 4: "203.0.113.4"}
ICMP_V4_SMALLEST = 36


def tracer(**config: object) -> Tracer:
    return started_tracer(**{"max_ttl": 5, **config})


def length(probe: Probe) -> int:
    return ICMP_V4_SMALLEST + probe.payload_len


def quote(probe: Probe) -> Quote:
    return Quote(4, 1, SOURCE, TARGET, 1, 0, icmp_type=8, icmp_id=IDENTITY.icmp_id, icmp_seq=probe.key)


def answer(probe: Probe, at: int, link_mtu: int, drop_after: int) -> Reply:
    """The path: hops 1..4 routers, 5 the target; the link after router ``drop_after`` has ``link_mtu``."""
    if probe.ttl > drop_after and length(probe) > link_mtu:
        return Reply(ROUTERS[drop_after], at, 62, IcmpError(3, 4, link_mtu, quote(probe)))
    if probe.ttl in ROUTERS:
        return Reply(ROUTERS[probe.ttl], at, 62, IcmpError(11, 0, None, quote(probe)))
    return Reply(TARGET, at, 60, EchoReply(IDENTITY.icmp_id, probe.key))


def test_queries_send_that_many_probes_to_each_ttl_per_round() -> None:
    probes = send_round(tracer(queries=3), 0)
    assert [probe.ttl for probe in probes] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5]
    assert len({probe.key for probe in probes}) == 15


def test_mtu_discovery_shrinks_probes_and_marks_the_hop_past_the_small_link() -> None:
    t = tracer(mtu_discovery=True, packet_len=1500)
    first = send_round(t, 0)
    assert {length(probe) for probe in first} == {1500}
    for probe in sorted(first, key=lambda p: -p.ttl):  # the deepest answer first: the mark moves down
        t.on_reply(answer(probe, 1_000_000, link_mtu=1300, drop_after=3))
    results = t.take_results()
    assert sorted(r.ttl for r in results) == [1, 2, 3], "r3's !F is no hop of TTL 4 or 5"
    assert {r.ttl: r.annotation for r in results} == {1: "F=1500", 2: None, 3: None}
    second = send_round(t, 1_000_000_000)
    assert {length(probe) for probe in second} == {1300}
    for probe in second:
        t.on_reply(answer(probe, 1_001_000_000, link_mtu=1300, drop_after=3))
    marks = {r.ttl: (r.outcome, r.annotation) for r in t.take_results()}
    assert marks == {1: (Outcome.TIME_EXCEEDED, None), 2: (Outcome.TIME_EXCEEDED, None),
                     3: (Outcome.TIME_EXCEEDED, None), 4: (Outcome.TIME_EXCEEDED, "F=1300"),
                     5: (Outcome.REACHED, None)}


def test_without_mtu_discovery_the_frag_needed_ends_the_path_as_traceroute_shows_it() -> None:
    t = tracer(dont_fragment=True, packet_len=1500)
    for probe in send_round(t, 0):
        t.on_reply(answer(probe, 1_000_000, link_mtu=1300, drop_after=3))
    marks = {r.ttl: (r.outcome, r.annotation) for r in t.take_results()}
    assert marks[4] == (Outcome.UNREACHABLE, "!F-1300")


def test_a_probe_the_kernel_refuses_as_too_big_is_not_lost_with_mtu_discovery() -> None:
    t = tracer(mtu_discovery=True, packet_len=9000)
    probes = t.poll(0)
    for probe in probes:
        t.too_big_to_send(probe, 1500)
    assert t.take_results() == [] and t.counters.sent == 0
    plain = tracer(dont_fragment=True, packet_len=9000)
    for probe in plain.poll(0):
        plain.too_big_to_send(probe, 1500)
    assert {r.outcome for r in plain.take_results()} == {Outcome.LOST}
    assert {length(probe) for probe in send_round(t, 1_000_000_000)} == {1500}


def test_path_mtu_rules() -> None:
    mtu = PathMtu(1500, 1, ICMP_V4_SMALLEST)
    assert not mtu.too_big(4, 1300, 1400), "a probe that fitted is no news"
    assert mtu.too_big(5, 1500, 1300) and mtu.length == 1300
    assert mtu.too_big(4, 1500, 1300), "the mark moves to the first TTL that did not fit"
    assert (mtu.mark_for(4, 1300), mtu.mark_for(5, 1300), mtu.mark_for(1, 1500)) == ("F=1300", None, "F=1500")
    assert mtu.too_big(6, 1300, 0) and mtu.length == 1280, "no MTU said: the next plateau of RFC 1191"
