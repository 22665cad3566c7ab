"""The tracer as a state machine, one event at a time (h11 style): no network, no engine, no clock.

Each case: a tracer in a known state, one event (a send, a failed send, a reply, time passing, a command),
and what the tracer then sends or reports.
"""

from __future__ import annotations

import pytest

from tuitrace.config import Protocol, Setting
from tuitrace.packet.incoming import EchoReply, IcmpError
from tuitrace.packet.quote import Quote
from tuitrace.probe.pathlearn import SILENT_ROUNDS
from tuitrace.probe.rounds import NS
from tuitrace.probe.tracer import Tracer
from tuitrace.probe.types import Outcome, Probe, Reply

from .tracer_steps import IDENTITY, SOURCE, TARGET, send_round, started_tracer

ROUTER = "203.0.113.1"
ICMP = Setting(Protocol.ICMP, None)


def tracer(**config: object) -> Tracer:
    return started_tracer(**{"max_ttl": 8, **config})


def echo(probe: Probe, at: int) -> Reply:
    return Reply(TARGET, at, 60, EchoReply(IDENTITY.icmp_id, probe.key))


def expired(probe: Probe, at: int) -> Reply:
    quote = Quote(4, 1, SOURCE, TARGET, 1, 0, icmp_type=8, icmp_id=IDENTITY.icmp_id, icmp_seq=probe.key)
    return Reply(ROUTER, at, 62, IcmpError(11, 0, None, quote))


def udp_quote(probe: Probe) -> Quote:
    """A router's quote of a UDP probe: UDP checksum = key + 1."""
    return Quote(4, 17, SOURCE, TARGET, 1, 0, sport=IDENTITY.udp_port, dport=probe.dport,
                 checksum=probe.key + 1)


def outcomes(t: Tracer) -> list[tuple[int, Outcome]]:
    return [(result.ttl, result.outcome) for result in t.take_results()]


def answer_path(t: Tracer, probes: list[Probe], end: int, at: int) -> None:
    """Routers answer below ``end``, the destination at ``end`` and beyond."""
    for probe in probes:
        t.on_reply(expired(probe, at) if probe.ttl < end else echo(probe, at))


# -- sending ------------------------------------------------------------------------------------------
def test_a_refused_send_is_a_lost_probe_at_its_ttl() -> None:
    t = tracer()
    t.send_failed(t.poll(0)[0])
    assert (outcomes(t), t.counters.sent) == ([(1, Outcome.LOST)], 1)


def test_a_refused_send_is_not_waited_for() -> None:
    t = tracer(max_ttl=1)
    t.send_failed(t.poll(0)[0])
    assert t.next_deadline() == NS  # only the next round, no expiry pending


def test_an_unanswered_probe_is_lost_only_after_the_wait() -> None:
    t = tracer(max_ttl=1)
    send_round(t, 0)
    t.poll(NS // 2 - 1)
    assert outcomes(t) == []
    t.poll(NS // 2)
    assert outcomes(t) == [(1, Outcome.LOST)]


# -- settings -----------------------------------------------------------------------------------------
def test_a_shorter_interval_brings_the_next_round_forward() -> None:
    t = tracer(interval=10.0)
    send_round(t, 0)
    t.set_interval(1.0, NS // 2)
    assert t.poll(NS + NS // 2 - 1) == [] and len(t.poll(NS + NS // 2)) == 8


def test_a_longer_interval_does_not_delay_the_round_already_due() -> None:
    t = tracer(interval=1.0)
    send_round(t, 0)
    t.set_interval(60.0, NS // 2)
    assert len(t.poll(NS)) == 8


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        tracer().set_interval(0.0, 0)


# -- path length --------------------------------------------------------------------------------------
def test_rounds_stop_at_the_destination_once_it_answered() -> None:
    t = tracer()
    answer_path(t, send_round(t, 0), end=3, at=1000)
    assert [p.ttl for p in t.poll(NS)] == [1, 2, 3]


def test_replies_beyond_the_destination_are_no_results() -> None:
    t = tracer()
    answer_path(t, send_round(t, 0), end=3, at=1000)
    assert outcomes(t) == [(1, Outcome.TIME_EXCEEDED), (2, Outcome.TIME_EXCEEDED), (3, Outcome.REACHED)]


def test_a_silent_destination_makes_the_rounds_look_again_up_to_max_ttl() -> None:
    t = tracer()
    answer_path(t, send_round(t, 0), end=3, at=1000)
    for number in range(1, SILENT_ROUNDS + 1):
        probes = send_round(t, number * NS)
        answer_path(t, [p for p in probes if p.ttl < 3], end=3, at=number * NS + 1000)
    t.poll((SILENT_ROUNDS + 1) * NS - 1)  # the last silent probe expires
    assert [p.ttl for p in t.poll((SILENT_ROUNDS + 1) * NS)] == list(range(1, 9))
    assert t.path().end == 3


def test_a_farther_answer_before_the_nearer_one_asks_for_a_trim() -> None:
    t = tracer()
    probes = send_round(t, 0)
    t.on_reply(echo(probes[4], 1000))
    t.on_reply(echo(probes[2], 2000))
    assert outcomes(t) == [(5, Outcome.REACHED), (3, Outcome.REACHED)]
    assert [(position, ttl) for position, _setting, ttl in t.take_trims()] == [(1, 5), (2, 3)]


# -- reset --------------------------------------------------------------------------------------------
def test_answers_to_probes_sent_before_a_reset_are_discarded() -> None:
    t = tracer()
    probes = send_round(t, 0)
    t.forget(t.setting, 1000)
    answer_path(t, probes, end=3, at=2000)
    assert outcomes(t) == []


def test_probes_sent_before_a_reset_are_not_counted_lost_either() -> None:
    t = tracer(max_ttl=2)
    send_round(t, 0)
    t.forget(t.setting, 1000)
    t.poll(NS // 2 + 1000)
    assert t.take_results() == []


def test_a_reset_starts_a_new_round_at_once() -> None:
    t = tracer(max_ttl=2)
    send_round(t, 0)
    t.forget(t.setting, 1000)
    assert [(p.ttl, p.round) for p in t.poll(1000)] == [(1, 0), (2, 0)]


def test_probes_sent_after_a_reset_count() -> None:
    t = tracer(max_ttl=2)
    send_round(t, 0)
    t.forget(t.setting, 1000)
    answer_path(t, send_round(t, 1000), end=2, at=2000)
    assert outcomes(t) == [(1, Outcome.TIME_EXCEEDED), (2, Outcome.REACHED)]


def test_a_reset_drops_untaken_results_of_its_setting_only() -> None:
    t = tracer()
    icmp = send_round(t, 0)
    t.on_reply(echo(icmp[4], 1000))
    udp_setting = Setting(Protocol.UDP, 53)
    t.set_setting(udp_setting, 1500)
    udp = send_round(t, 2000)
    t.on_reply(Reply(TARGET, 2500, 62, IcmpError(3, 3, None, udp_quote(udp[1]))))  # port unreachable
    t.forget(ICMP, 4000)
    assert [(r.setting, r.ttl, r.outcome) for r in t.take_results()] == [(udp_setting, 2, Outcome.REACHED)]
    assert t.take_trims() == [(1, udp_setting, 2)]


def test_a_probe_is_overdue_only_once_its_wait_is_over() -> None:
    t = tracer(wait=0.5)
    send_round(t, 0)
    assert not t.overdue(NS // 2 - 1)
    assert t.overdue(NS // 2)


def test_an_answer_read_late_but_arrived_in_time_counts() -> None:
    t = tracer(max_ttl=1, wait=0.5)
    (probe,) = send_round(t, 0)
    assert t.on_reply(echo(probe, NS // 100))  # arrived after 10 ms, read whenever
    assert [(r.outcome, r.rtt_ns) for r in t.take_results()] == [(Outcome.REACHED, NS // 100)]


def test_an_answer_that_arrived_after_the_wait_is_ours_but_lost() -> None:
    t = tracer(max_ttl=1, wait=0.5)
    (probe,) = send_round(t, 0)
    assert t.on_reply(echo(probe, NS // 2 + 1))
    assert [(r.outcome, r.responder) for r in t.take_results()] == [(Outcome.LOST, None)]
