"""The path learner one event at a time (h11 style): a state, one result, what it now says.

Each case reads as: where the path stood, what came back at which TTL, what the tracer now believes. The
outage, route-change and rate-limited ``!X`` cases of issue 9 (items 7 and 8) are here at their smallest.
"""

from __future__ import annotations

from tuitrace.probe.pathlearn import SILENT_ROUNDS, Fate, PathState, learn
from tuitrace.probe.types import Outcome

MAX_TTL = 30
TE, LOST, REACHED, UNREACHABLE = Outcome.TIME_EXCEEDED, Outcome.LOST, Outcome.REACHED, Outcome.UNREACHABLE


def known_path(end: int = 5) -> PathState:
    """Routers at 1..end-1, the destination at ``end``, probed up to it."""
    return PathState(horizon=end, end=end, reached=True, highest_answer=end)


def feed(state: PathState, *events: tuple[int, Outcome], number: int = 0) -> list[Fate]:
    """The results of round ``number``, in the order given."""
    return [learn(state, ttl, outcome, MAX_TTL, number) for ttl, outcome in events]


def test_first_final_answer_sets_end_and_horizon() -> None:
    state = PathState()
    assert feed(state, (1, TE), (5, REACHED)) == [Fate.KEEP, Fate.KEEP_AND_TRIM]
    assert (state.horizon, state.end, state.reached) == (5, 5, True)


def test_destination_answering_with_ttl_to_spare_is_no_hop() -> None:
    state = PathState()
    fates = feed(state, (5, REACHED), (6, REACHED), (30, REACHED))
    assert fates == [Fate.KEEP_AND_TRIM, Fate.DROP, Fate.DROP]
    assert (state.end, state.highest_answer) == (5, 5)


def test_a_farther_answer_first_is_trimmed_when_the_nearer_one_comes() -> None:
    state = PathState()
    assert feed(state, (7, REACHED), (5, REACHED)) == [Fate.KEEP_AND_TRIM, Fate.KEEP_AND_TRIM]
    assert (state.end, state.highest_answer, state.last_shown(1, MAX_TTL)) == (5, 5, 5)


def test_losses_beyond_the_end_are_dropped() -> None:
    state = known_path()
    assert feed(state, (6, LOST), (29, LOST)) == [Fate.DROP, Fate.DROP]


def test_a_loss_before_the_end_is_a_hop() -> None:
    state = known_path()
    assert feed(state, (3, LOST)) == [Fate.KEEP]


def test_losses_before_any_final_answer_are_hops() -> None:
    state = PathState()
    assert feed(state, (9, LOST)) == [Fate.KEEP]
    assert state.last_shown(1, MAX_TTL) == 1


def test_silent_end_starts_rediscovery_but_keeps_the_end() -> None:
    state = known_path()
    feed(state, *[(5, LOST)] * SILENT_ROUNDS)
    assert (state.horizon, state.end, state.last_shown(1, MAX_TTL)) == (None, 5, 5)


def test_destination_that_stopped_answering_is_not_reached() -> None:
    state = known_path()
    feed(state, *[(5, LOST)] * (SILENT_ROUNDS - 1))
    assert state.reached
    feed(state, (5, LOST))
    assert not state.reached


def test_one_answer_at_the_end_clears_the_misses() -> None:
    state = known_path()
    feed(state, *[(5, LOST)] * (SILENT_ROUNDS - 1), (5, REACHED), *[(5, LOST)] * (SILENT_ROUNDS - 1))
    assert state.reached


def test_outage_rediscovery_shows_nothing_beyond_the_end() -> None:
    state = known_path()
    feed(state, *[(5, LOST)] * SILENT_ROUNDS)
    assert feed(state, *[(ttl, LOST) for ttl in range(1, MAX_TTL + 1)])[5:] == [Fate.DROP] * (MAX_TTL - 5)
    assert (state.end, state.reached, state.last_shown(1, MAX_TTL)) == (5, False, 5)


def test_after_an_outage_the_destination_is_reached_again_at_the_same_end() -> None:
    state = known_path()
    feed(state, *[(5, LOST)] * SILENT_ROUNDS)
    assert feed(state, (5, REACHED), (6, REACHED)) == [Fate.KEEP, Fate.DROP]
    assert (state.horizon, state.end, state.reached) == (5, 5, True)


def test_a_router_where_the_path_ended_means_it_grew() -> None:
    state = known_path()
    assert feed(state, (5, TE)) == [Fate.KEEP]
    assert (state.horizon, state.end, state.last_shown(1, MAX_TTL)) == (None, None, 6)


def test_after_growing_the_new_end_is_the_lowest_final_answer() -> None:
    state = known_path()
    assert feed(state, (5, TE), (6, REACHED), (7, REACHED)) == [Fate.KEEP, Fate.KEEP_AND_TRIM, Fate.DROP]
    assert (state.horizon, state.end) == (6, 6)


def test_a_shorter_path_lowers_the_end_and_hides_the_rows_beyond() -> None:
    state = known_path()
    assert feed(state, (4, REACHED), number=9) == [Fate.KEEP]
    assert (state.horizon, state.end, state.highest_answer, state.last_shown(1, MAX_TTL)) == (4, 4, 4, 4)


def test_a_local_unreachable_in_an_outage_ends_the_path_and_a_router_brings_it_back() -> None:
    state = known_path()
    assert feed(state, (1, UNREACHABLE), number=9) == [Fate.KEEP]
    assert (state.end, state.reached) == (1, False)
    assert feed(state, (1, TE), (5, REACHED), number=20) == [Fate.KEEP, Fate.KEEP_AND_TRIM]
    assert (state.end, state.reached) == (5, True)


def test_growth_behind_a_silent_router_moves_the_end_after_enough_rounds() -> None:
    state = known_path()
    feed(state, *[(5, LOST)] * SILENT_ROUNDS)  # rediscovery
    for _ in range(SILENT_ROUNDS - 1):
        assert feed(state, (6, REACHED), (5, LOST)) == [Fate.DROP, Fate.KEEP]
    assert state.end == 5
    assert feed(state, (6, REACHED), (5, LOST)) == [Fate.DROP, Fate.KEEP]
    assert (state.horizon, state.end) == (6, 6)


def test_a_rate_limited_far_answer_does_not_move_the_end() -> None:
    state = known_path()
    feed(state, *[(5, LOST)] * SILENT_ROUNDS)
    feed(state, (17, UNREACHABLE), *[(5, LOST), (17, LOST)] * SILENT_ROUNDS)
    assert state.end == 5


def test_rejecting_router_ends_the_path_and_is_not_reached() -> None:
    state = PathState()
    fates = feed(state, (4, TE), (5, UNREACHABLE), (6, UNREACHABLE))
    assert fates == [Fate.KEEP, Fate.KEEP_AND_TRIM, Fate.DROP]
    assert (state.end, state.reached) == (5, False)


def test_destination_replaced_by_a_rejection_at_the_end_is_not_reached() -> None:
    state = known_path()
    feed(state, (5, UNREACHABLE))
    assert (state.end, state.reached) == (5, False)


def test_silent_end_never_rediscovers_past_max_ttl() -> None:
    state = PathState(horizon=MAX_TTL, end=MAX_TTL, highest_answer=MAX_TTL)
    feed(state, *[(MAX_TTL, LOST)] * SILENT_ROUNDS)
    assert state.horizon == MAX_TTL


def test_shown_rows_never_pass_max_ttl_or_start_before_first_ttl() -> None:
    assert PathState(highest_answer=MAX_TTL).last_shown(1, MAX_TTL) == MAX_TTL
    assert PathState().last_shown(3, MAX_TTL) == 3
    assert PathState(end=2).last_shown(3, MAX_TTL) == 3
