"""Round pacing one event at a time (h11 style): a clock, one event, when rounds and probes may go."""

from __future__ import annotations

import pytest

from tuitrace.config import Protocol, Setting
from tuitrace.probe.rounds import NS, RoundClock
from tuitrace.probe.types import Probe

ICMP = Setting(Protocol.ICMP, None)


def probes(count: int) -> list[Probe]:
    return [Probe(key, key + 1, ICMP, 0, "198.51.100.9", 4, 0) for key in range(count)]


def started(interval: float = 1.0, sendwait: float = 0.0) -> RoundClock:
    clock = RoundClock(interval, sendwait)
    clock.start(0)
    return clock


def test_nothing_is_due_before_start() -> None:
    clock = RoundClock(1.0, 0.0)
    assert (clock.round_due(10 * NS), clock.deadline(more_rounds=True)) == (False, None)


def test_a_round_leaves_at_once_without_sendwait() -> None:
    clock = started()
    clock.begin_round(0, probes(3))
    assert [p.ttl for p in clock.due(0)] == [1, 2, 3] and clock.due(0) == []


def test_sendwait_lets_one_probe_leave_per_gap() -> None:
    clock = started(sendwait=0.01)
    clock.begin_round(0, probes(3))
    assert [len(clock.due(t)) for t in (0, NS // 100 - 1, NS // 100, NS // 50)] == [1, 0, 1, 1]


def test_the_next_round_waits_for_the_interval() -> None:
    clock = started(interval=0.5)
    clock.begin_round(0, [])
    assert (clock.round_due(NS // 2 - 1), clock.round_due(NS // 2)) == (False, True)


def test_a_round_waits_until_the_previous_one_has_left() -> None:
    clock = started(interval=0.5, sendwait=1.0)
    clock.begin_round(0, probes(2))
    clock.due(0)
    assert not clock.round_due(NS)


def test_deadline_is_the_next_probe_while_a_round_is_queued() -> None:
    clock = started(sendwait=0.25)
    clock.begin_round(0, probes(2))
    clock.due(0)
    assert clock.deadline(more_rounds=True) == NS // 4


def test_no_round_deadline_when_no_rounds_are_left() -> None:
    clock = started()
    clock.begin_round(0, [])
    assert (clock.deadline(more_rounds=True), clock.deadline(more_rounds=False)) == (NS, None)


def test_pause_drops_the_queue_and_stops_rounds() -> None:
    clock = started()
    clock.begin_round(0, probes(3))
    clock.pause()
    assert (clock.due(0), clock.round_due(5 * NS), clock.deadline(more_rounds=True)) == ([], False, None)


def test_resume_starts_a_round_at_once() -> None:
    clock = started(interval=10.0)
    clock.begin_round(0, [])
    clock.pause()
    clock.resume(NS)
    assert clock.round_due(NS)


def test_resume_without_pause_changes_nothing() -> None:
    clock = started(interval=10.0)
    clock.begin_round(0, [])
    clock.resume(NS)
    assert not clock.round_due(NS)


def test_restart_drops_the_queue_and_starts_a_round_at_once() -> None:
    clock = started(interval=10.0)
    clock.begin_round(0, probes(3))
    clock.restart(NS)
    assert (clock.due(NS), clock.round_due(NS)) == ([], True)


def test_a_shorter_interval_brings_the_next_round_forward() -> None:
    clock = started(interval=10.0)
    clock.begin_round(0, [])
    clock.set_interval(1.0, NS)
    assert (clock.round_due(2 * NS - 1), clock.round_due(2 * NS)) == (False, True)


def test_a_longer_interval_keeps_the_round_already_due() -> None:
    clock = started(interval=1.0)
    clock.begin_round(0, [])
    clock.set_interval(60.0, NS // 2)
    assert clock.round_due(NS)


@pytest.mark.parametrize("seconds", [0.0, -1.0, float("nan")])
def test_interval_must_be_positive(seconds: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        started().set_interval(seconds, 0)


def test_a_negative_sendwait_is_none() -> None:
    clock = started()
    clock.set_sendwait(-1.0)
    clock.begin_round(0, probes(2))
    assert len(clock.due(0)) == 2
