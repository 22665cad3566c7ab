"""forward_loss and reply_loss_only on hand-built counts, and their false-positive rates under seeded
randomness: the rate stated in tuitrace.diagnose.loss must hold."""

from __future__ import annotations

import math
import random

from tests.unit.diagnose.build import TARGET, Hop, snapshot
from tuitrace.diagnose.binomial import at_least, loses_more
from tuitrace.diagnose.finding import Kind, Severity
from tuitrace.diagnose.loss import ALPHA, BASELINE_LOSS, forward_loss, reply_loss_only
from tuitrace.diagnose.rules import diagnose


def test_binomial_tails_match_small_exact_values() -> None:
    assert abs(at_least(1, 10, 0.01) - (1 - 0.99**10)) < 1e-12
    assert abs(at_least(3, 3, 0.5) - 0.125) < 1e-12
    assert at_least(0, 5, 0.3) == 1.0 and at_least(6, 5, 0.3) == 0.0
    assert abs(loses_more(3, 3, 0, 3) - 0.05) < 1e-12  # Fisher: 1 / C(6, 3)
    assert loses_more(0, 10, 5, 10) > 1 - 1e-9


def test_loss_that_carries_on_names_its_first_hop_and_the_destination_loss() -> None:
    snap = snapshot([Hop("10.0.0.1", 100, 100), Hop("10.0.0.2", 100, 99), Hop("10.0.0.3", 100, 81),
                     Hop("10.0.0.4", 100, 80), Hop(TARGET, 100, 79)])
    (finding,) = forward_loss(snap)
    assert (finding.kind, finding.ttl, finding.address) == (Kind.FORWARD_LOSS, 3, "10.0.0.3")
    assert finding.severity is Severity.PROBLEM
    assert finding.value("destination_loss_pct") == 21.0 and finding.value("destination_sent") == 100
    assert "hop 3" in finding.text and "21.0%" in finding.text


def test_loss_only_at_the_destination_is_a_warning_that_it_may_be_the_destination() -> None:
    snap = snapshot([Hop("10.0.0.1", 100, 100), Hop("10.0.0.2", 100, 100), Hop(TARGET, 100, 70)])
    (finding,) = forward_loss(snap)
    assert (finding.ttl, finding.address, finding.severity) == (3, TARGET, Severity.WARNING)
    assert "limits its own replies" in finding.text


def test_a_rate_limiting_hop_before_the_loss_is_not_its_start() -> None:
    snap = snapshot([Hop("10.0.0.1", 400, 400), Hop("10.0.0.2", 400, 200), Hop("10.0.0.3", 400, 320),
                     Hop(TARGET, 400, 318)])
    (loss,) = forward_loss(snap)
    assert loss.ttl == 3
    (policing,) = reply_loss_only(snap)
    assert (policing.ttl, policing.address, policing.severity) == (2, "10.0.0.2", Severity.INFO)


def test_a_hop_that_loses_a_little_more_than_the_destination_by_chance_is_still_the_start() -> None:
    """From CI: 20% forward loss from hop 4 on; hop 4 lost 18 of 60 and the destination, by chance, 6.
    Fisher gives 0.0055: below ALPHA but not below ALPHA per hop, so hop 4 starts the loss and is not
    reply loss (the two rules agree)."""
    snap = snapshot([Hop("10.0.0.1", 60, 60), Hop("10.0.0.2", 60, 60), Hop("10.0.0.3", 60, 60),
                     Hop("10.0.0.4", 60, 42), Hop(TARGET, 60, 54)])
    (loss,) = forward_loss(snap)
    assert (loss.ttl, loss.address, loss.severity) == (4, "10.0.0.4", Severity.PROBLEM)
    assert reply_loss_only(snap) == ()


def test_one_lost_probe_in_a_short_run_is_not_a_finding() -> None:
    snap = snapshot([Hop("10.0.0.1", 10, 10), Hop("10.0.0.2", 10, 9), Hop(TARGET, 10, 9)])
    assert diagnose(snap) == ()


def test_reply_loss_needs_a_later_hop_that_loses_less() -> None:
    alone = snapshot([Hop("10.0.0.1", 50, 50), Hop("10.0.0.2", 50, 20), Hop(None, 50, 0)], reached=False)
    assert reply_loss_only(alone) == ()
    later = snapshot([Hop("10.0.0.1", 50, 50), Hop("10.0.0.2", 50, 20), Hop("10.0.0.3", 50, 50)],
                     reached=False)
    (finding,) = reply_loss_only(later)
    assert finding.ttl == 2 and finding.value("later_ttl") == 3


def test_silent_routers_are_not_reply_loss() -> None:
    snap = snapshot([Hop("10.0.0.1", 50, 50), Hop(None, 50, 0), Hop(TARGET, 50, 50)])
    assert diagnose(snap) == ()


def _draws(rng: random.Random, sent: int, loss: float) -> int:
    return sum(rng.random() >= loss for _ in range(sent))


def test_false_positive_rate_of_forward_loss_is_at_most_alpha() -> None:
    """Paths whose real loss is the tolerated baseline everywhere, plus heavy reply loss at one router:
    forward_loss may appear in at most ALPHA of them (checked with slack for the 2000 draws)."""
    rng = random.Random(20261201)
    runs, alarms = 2000, 0
    for _ in range(runs):
        sent = rng.choice((10, 30, 100, 300))
        policing = rng.uniform(0.0, 0.4)
        hops = [Hop("10.0.0.1", sent, _draws(rng, sent, BASELINE_LOSS)),
                Hop("10.0.0.2", sent, _draws(rng, sent, BASELINE_LOSS + policing)),
                Hop("10.0.0.3", sent, _draws(rng, sent, BASELINE_LOSS)),
                Hop(TARGET, sent, _draws(rng, sent, BASELINE_LOSS))]
        alarms += bool(forward_loss(snapshot(hops)))
    assert at_least(alarms, runs, ALPHA) > 0.001, f"{alarms} of {runs}"


def test_false_positive_rate_of_reply_loss_only_is_at_most_alpha() -> None:
    rng = random.Random(7)
    runs, alarms = 2000, 0
    for _ in range(runs):
        sent = rng.choice((10, 30, 100, 300))
        hops = [Hop(f"10.0.0.{i}", sent, _draws(rng, sent, BASELINE_LOSS)) for i in range(1, 6)]
        hops.append(Hop(TARGET, sent, _draws(rng, sent, BASELINE_LOSS)))
        alarms += bool(reply_loss_only(snapshot(hops)))
    assert at_least(alarms, runs, ALPHA) > 0.001, f"{alarms} of {runs}"


def test_real_forward_loss_is_found_most_of_the_time() -> None:
    """The test has power too: 10% loss from hop 2 over 100 probes is found in nearly every run."""
    rng = random.Random(3)
    found = 0
    for _ in range(200):
        hops = [Hop("10.0.0.1", 100, _draws(rng, 100, 0.0)), Hop("10.0.0.2", 100, _draws(rng, 100, 0.1)),
                Hop(TARGET, 100, _draws(rng, 100, 0.1))]
        found += any(f.ttl == 2 for f in forward_loss(snapshot(hops)))
    assert found >= 180


def test_tails_cut_short_equal_the_whole_sums() -> None:
    """Seeded: the early stop past the mode changes no p-value beyond rounding, small and large n alike."""
    rng = random.Random(5)

    def log_comb(n: int, k: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)

    def pmf(i: int, n: int, p: float) -> float:  # the whole sums below, term by term
        return math.exp(log_comb(n, i) + i * math.log(p) + (n - i) * math.log1p(-p))

    for _ in range(300):
        n = rng.choice((5, 40, 300, 2000))
        p = rng.choice((0.01, 0.05, 0.3))
        k = rng.randint(0, n)
        whole_up = min(1.0, math.fsum(pmf(i, n, p) for i in range(k, n + 1)))
        assert math.isclose(at_least(k, n, p), whole_up, rel_tol=1e-9, abs_tol=1e-300)
        sent_b, lost_a = rng.choice((20, 300)), rng.randint(0, min(n, 60))
        lost_b = rng.randint(0, sent_b // 4)
        total, lost = n + sent_b, lost_a + lost_b
        whole = min(1.0, math.fsum(
            math.exp(log_comb(lost, x) + log_comb(total - lost, n - x) - log_comb(total, n))
            for x in range(max(lost_a, n - (total - lost)), min(lost, n) + 1)))
        assert math.isclose(loses_more(lost_a, n, lost_b, sent_b), whole, rel_tol=1e-9, abs_tol=1e-300)
