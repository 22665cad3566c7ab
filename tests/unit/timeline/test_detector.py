"""The event detector one rule at a time (h11 style): results in, events out; no engine, no clock.

Rounds are one second apart; an answer is collected its RTT after its round started, a loss a whole wait
(1 s) after, as the engine would collect them.
"""

from __future__ import annotations

from tuitrace.config import Protocol, Setting
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.timeline.detector import BURST_LOSSES, GONE_AFTER, WARMUP_ANSWERS, Timeline
from tuitrace.timeline.events import EventKind, iso_time
from tuitrace.timeline.hops import PENDING_LIMIT, HopState, RoundOrder, Timed

S = 1_000_000_000
MS = 1_000_000
TARGET, A, B, C = "198.51.100.9", "203.0.113.1", "203.0.113.2", "203.0.113.3"
ICMP = Setting(Protocol.ICMP, None)
CLASSIC_UDP = Setting(Protocol.UDP, None)
EPOCH = 1_764_550_800.0  # 2025-12-01T01:00:00Z
DEST_TTL = 3


def timeline(setting: Setting = ICMP) -> Timeline:
    return Timeline(setting, wait_s=1.0, started_ns=0, started_epoch_s=EPOCH)


def answer(t: Timeline, number: int, ttl: int, responder: str, rtt_ms: float = 1.0,
           setting: Setting = ICMP) -> None:
    outcome = Outcome.REACHED if responder == TARGET else Outcome.TIME_EXCEEDED
    result = ProbeResult(0, setting, ttl, number, outcome, responder, int(rtt_ms * MS))
    t.observe(result, number * S + int(rtt_ms * MS))


def lose(t: Timeline, number: int, ttl: int, setting: Setting = ICMP) -> None:
    t.observe(ProbeResult(0, setting, ttl, number, Outcome.LOST), number * S + S)


def unreachable(t: Timeline, number: int, ttl: int, mark: str) -> None:
    t.observe(ProbeResult(0, ICMP, ttl, number, Outcome.UNREACHABLE, A, MS, mark), number * S + MS)


def clean_round(t: Timeline, number: int, hop2: str = A) -> None:
    answer(t, number, 1, C)
    answer(t, number, 2, hop2)
    answer(t, number, DEST_TTL, TARGET)


def kinds(t: Timeline) -> list[EventKind]:
    return [e.kind for e in t.take_events()]


# -- times ----------------------------------------------------------------------------------------------
def test_an_event_carries_utc_iso_time_with_ms_and_seconds_since_start() -> None:
    t = timeline()
    answer(t, 2, DEST_TTL, TARGET, rtt_ms=5.0)
    [event] = t.take_events()
    assert (event.kind, event.ttl, event.address, event.duration_s) == (EventKind.REACHED, 3, TARGET, None)
    assert event.t_s == 2.0, "the time the probe left, not when its answer was read"
    assert event.time == "2025-12-01T01:00:02.000Z"
    assert iso_time(EPOCH + 0.0456) == "2025-12-01T01:00:00.045Z"


# -- destination -----------------------------------------------------------------------------------------
def test_reached_is_told_once_not_every_round() -> None:
    t = timeline()
    for number in range(5):
        clean_round(t, number)
    assert kinds(t) == [EventKind.REACHED]


def test_unreachable_carries_its_mark_and_is_told_again_only_when_the_mark_changes() -> None:
    t = timeline()
    unreachable(t, 0, 2, "!X")
    unreachable(t, 1, 2, "!X")
    unreachable(t, 2, 2, "!H")
    events = t.take_events()
    assert [e.kind for e in events] == [EventKind.UNREACHABLE] * 2
    assert "!X" in events[0].text and "!H" in events[1].text and events[0].address == A


# -- loss bursts -----------------------------------------------------------------------------------------
def test_two_losses_at_the_destination_are_no_burst() -> None:
    t = timeline()
    answer(t, 0, DEST_TTL, TARGET)
    for number in (1, 2):
        lose(t, number, DEST_TTL)
    answer(t, 3, DEST_TTL, TARGET)
    assert kinds(t) == [EventKind.REACHED]


def test_a_loss_burst_is_lost_then_the_burst_with_start_and_duration_then_reached_again() -> None:
    t = timeline()
    answer(t, 0, DEST_TTL, TARGET)
    for number in range(1, 1 + BURST_LOSSES):
        lose(t, number, DEST_TTL)
    assert kinds(t)[1:] == [EventKind.LOST]
    answer(t, 1 + BURST_LOSSES, DEST_TTL, TARGET)
    burst, again = t.take_events()
    assert (burst.kind, burst.ttl, burst.t_s, burst.duration_s) == (EventKind.LOSS_BURST, 3, 1.0, 3.0)
    assert again.kind is EventKind.REACHED and "again" in again.text


def test_an_outage_that_silences_every_hop_is_one_burst_at_the_destination() -> None:
    t = timeline()
    clean_round(t, 0)
    for number in range(1, 5):
        for ttl in (1, 2, DEST_TTL):
            lose(t, number, ttl)
    clean_round(t, 5)
    events = t.take_events()
    assert [e.kind for e in events] == [EventKind.REACHED, EventKind.LOST, EventKind.LOSS_BURST,
                                        EventKind.REACHED]
    assert events[2].ttl == DEST_TTL and events[2].duration_s == 4.0


def test_losses_collected_after_a_later_answer_still_make_one_burst() -> None:
    t = timeline()
    answer(t, 0, DEST_TTL, TARGET)
    answer(t, 4, DEST_TTL, TARGET)  # round 4 answered before rounds 1..3 timed out
    for number in (1, 2, 3):
        lose(t, number, DEST_TTL)
    assert [e.kind for e in t.take_events()][1:] == [EventKind.LOST, EventKind.LOSS_BURST, EventKind.REACHED]


def test_a_burst_at_the_last_hop_that_answers_when_the_destination_never_did() -> None:
    t = timeline()
    answer(t, 0, 2, A)
    for number in range(1, 5):
        lose(t, number, 2)
    answer(t, 5, 2, A)
    [burst] = t.take_events()
    assert (burst.kind, burst.ttl, burst.duration_s) == (EventKind.LOSS_BURST, 2, 4.0)
    assert "last that answers" in burst.text


def test_a_burst_still_going_at_the_end_is_closed_by_finish() -> None:
    t = timeline()
    answer(t, 0, DEST_TTL, TARGET)
    for number in range(1, 5):
        lose(t, number, DEST_TTL)
    t.take_events()
    t.finish()
    [burst] = t.take_events()
    assert burst.kind is EventKind.LOSS_BURST and burst.duration_s == 4.0 and "still going" in burst.text
    t.finish()
    assert t.take_events() == [], "finish twice tells nothing twice"


# -- path changes ----------------------------------------------------------------------------------------
def test_one_stray_answer_is_no_path_change() -> None:
    t = timeline()
    for number, hop2 in enumerate([A, A, B, A, A]):
        clean_round(t, number, hop2)
    assert kinds(t) == [EventKind.REACHED]


def test_a_new_responder_twice_in_a_row_is_a_path_change_at_its_first_answer() -> None:
    t = timeline()
    for number, hop2 in enumerate([A, A, B, B, B]):
        clean_round(t, number, hop2)
    change = t.take_events()[1]
    assert (change.kind, change.ttl, change.address, change.t_s) == (EventKind.PATH_CHANGE, 2, B, 2.0)
    assert A in change.text


def test_per_packet_balancing_that_alternates_never_confirms_a_change() -> None:
    t = timeline()
    for number in range(20):
        clean_round(t, number, A if number % 2 else B)
    assert kinds(t) == [EventKind.REACHED]


def test_classic_udp_branches_are_not_path_changes() -> None:
    t = timeline(CLASSIC_UDP)
    for number, hop2 in enumerate([A, A, B, B, B, A, A]):
        answer(t, number, 2, hop2, setting=CLASSIC_UDP)
    assert kinds(t) == []


def test_classic_udp_tells_a_branch_first_seen_after_the_warmup() -> None:
    t = timeline(CLASSIC_UDP)
    for number in range(WARMUP_ANSWERS):
        answer(t, number, 2, A if number % 2 else B, setting=CLASSIC_UDP)
    assert kinds(t) == []
    answer(t, WARMUP_ANSWERS, 2, C, setting=CLASSIC_UDP)
    answer(t, WARMUP_ANSWERS + 1, 2, A, setting=CLASSIC_UDP)
    [new] = t.take_events()
    assert (new.kind, new.ttl, new.address) == (EventKind.RESPONDER_NEW, 2, C)


# -- responders gone and new -----------------------------------------------------------------------------
def silent_hop2(t: Timeline, rounds: range, *, destination_answers: bool = True) -> None:
    for number in rounds:
        answer(t, number, 1, C)
        lose(t, number, 2)
        if destination_answers:
            answer(t, number, DEST_TTL, TARGET)
        else:
            lose(t, number, DEST_TTL)


def test_a_hop_silent_for_a_while_the_path_beyond_answers_is_gone() -> None:
    t = timeline()
    clean_round(t, 0)
    silent_hop2(t, range(1, GONE_AFTER))
    assert kinds(t) == [EventKind.REACHED], "one probe short"
    silent_hop2(t, range(GONE_AFTER, GONE_AFTER + 3))
    [gone] = t.take_events()
    assert (gone.kind, gone.ttl, gone.address, gone.t_s) == (EventKind.RESPONDER_GONE, 2, A, 1.0)
    clean_round(t, GONE_AFTER + 3)
    [back] = t.take_events()
    assert (back.kind, back.ttl, back.address) == (EventKind.RESPONDER_NEW, 2, A)


def test_a_hop_silent_with_everything_beyond_it_is_no_gone_but_a_burst() -> None:
    t = timeline()
    clean_round(t, 0)
    silent_hop2(t, range(1, 10), destination_answers=False)
    clean_round(t, 10)
    assert kinds(t) == [EventKind.REACHED, EventKind.LOST, EventKind.LOSS_BURST, EventKind.REACHED]


def test_a_hop_silent_from_the_start_that_begins_to_answer_is_new() -> None:
    t = timeline()
    silent_hop2(t, range(WARMUP_ANSWERS + 1))
    t.take_events()
    clean_round(t, WARMUP_ANSWERS + 1, hop2=B)
    [new] = t.take_events()
    assert (new.kind, new.ttl, new.address) == (EventKind.RESPONDER_NEW, 2, B)
    assert "first time" in new.text


# -- RTT shifts ------------------------------------------------------------------------------------------
def test_a_few_spikes_are_no_shift_but_a_lasting_rise_is_one_at_its_start() -> None:
    t = timeline()
    number = 0
    for rtt in [1.0] * 60 + [30.0] * 3 + [1.0] * 20:
        answer(t, number, 1, C, rtt_ms=rtt)
        number += 1
    assert kinds(t) == []
    rise_at = number
    for _ in range(30):
        answer(t, number, 1, C, rtt_ms=4.0)
        number += 1
    [shift] = t.take_events()
    assert (shift.kind, shift.ttl, shift.address, shift.t_s) == (EventKind.RTT_SHIFT, 1, C, float(rise_at))
    assert "1.00 ms" in shift.text and "4.00 ms" in shift.text


# -- settings --------------------------------------------------------------------------------------------
def test_a_setting_event_and_a_new_protocol_starts_the_story_over() -> None:
    t = timeline()
    clean_round(t, 0)
    tcp = Setting(Protocol.TCP, 443)
    t.setting_changed("Probes changed from ICMP to TCP/443.", 3 * S, tcp)
    lose(t, 0, DEST_TTL)  # a probe of the old setting, resolved after the switch: not this path's
    answer(t, 1, DEST_TTL, TARGET, setting=tcp)
    events = t.take_events()
    assert [e.kind for e in events] == [EventKind.REACHED, EventKind.SETTING, EventKind.REACHED]
    assert events[1].t_s == 3.0 and events[1].ttl is None and events[1].text.startswith("Probes changed")


def test_a_sendwait_change_keeps_the_path() -> None:
    t = timeline()
    clean_round(t, 0)
    t.setting_changed("Sendwait changed from 0 s to 0.01 s.", S)
    clean_round(t, 1)
    assert kinds(t) == [EventKind.REACHED, EventKind.SETTING]


# -- bounded memory and ordering -------------------------------------------------------------------------
def timed(number: int, seen_ns: int) -> Timed:
    return Timed(ProbeResult(0, ICMP, 1, number, Outcome.LOST), seen_ns, seen_ns)


def test_round_order_holds_a_result_until_the_rounds_before_it_are_in() -> None:
    order = RoundOrder()
    assert [x.result.round for x in order.push(timed(0, 0), 0, S)] == [0]
    assert order.push(timed(2, 10), 10, S) == []
    assert [x.result.round for x in order.push(timed(1, 20), 20, S)] == [1, 2]


def test_round_order_gives_up_a_round_that_never_comes_after_the_wait() -> None:
    order = RoundOrder()
    order.push(timed(0, 0), 0, S)
    assert order.push(timed(2, 10), 10, S) == []
    assert [x.result.round for x in order.push(timed(3, S + 11), S + 11, S)] == [2, 3]
    assert order.push(timed(1, S + 12), S + 12, S) == [], "too late: round 1 was given up on"


def test_round_order_holds_at_most_its_limit() -> None:
    order = RoundOrder()
    order.push(timed(0, 0), 0, S)
    released = []
    for number in range(2, PENDING_LIMIT + 3):
        released += order.push(timed(number, 5), 5, S)
    assert released and len(order.flush()) < PENDING_LIMIT


def test_a_hop_remembers_a_bounded_number_of_responders() -> None:
    hop = HopState()
    for n in range(100):
        hop.remember(f"10.0.0.{n}")
    assert len(hop.addresses) == 16
    assert hop.remember("10.0.0.99") is False and hop.remember("10.0.0.0") is True
