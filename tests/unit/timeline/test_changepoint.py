"""The RTT change-point rule: its stated false-alarm rate under seeded noise, and that it finds shifts."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from tuitrace.timeline.changepoint import BASELINE_SAMPLES, RttShiftDetector

Noise = Callable[[random.Random], float]
NOISES: dict[str, Noise] = {
    "normal": lambda r: r.gauss(10.0, 1.0),
    "log-normal": lambda r: 5.0 * r.lognormvariate(0.0, 0.5),
    "spiky": lambda r: 10.0 + (r.expovariate(1.0) if r.random() < 0.9 else 50.0 * r.random()),
}


@pytest.mark.parametrize("name", sorted(NOISES))
def test_fewer_than_one_false_alarm_per_ten_thousand_samples_of_steady_noise(name: str) -> None:
    noise, rnd = NOISES[name], random.Random(12)
    hops, samples, alarms = 20, 5000, 0
    for _ in range(hops):
        detector = RttShiftDetector()
        alarms += sum(detector.add(noise(rnd), i) is not None for i in range(samples))
    assert alarms < hops * samples / 10_000


def test_a_three_sigma_rise_is_found_within_fifteen_samples_nearly_always() -> None:
    rnd, found, dated = random.Random(3), 0, 0
    for _ in range(50):
        detector = RttShiftDetector()
        rise = BASELINE_SAMPLES + 30
        for i in range(rise):
            detector.add(rnd.gauss(10.0, 1.0), i)
        for i in range(rise, rise + 15):
            shift = detector.add(rnd.gauss(13.0, 1.0), i)
            if shift is not None:
                assert shift.before_ms == pytest.approx(10.0, abs=0.5)
                assert shift.after_ms == pytest.approx(13.0, abs=1.0)
                assert shift.since_ns <= rise, "never dated after the rise began"
                dated += shift.since_ns >= rise - 3
                found += 1
                break
    assert found >= 48
    assert dated >= 40, "mostly dated within three samples of the rise (noise can start the sum earlier)"


def test_a_fall_is_found_too() -> None:
    detector = RttShiftDetector()
    for i in range(BASELINE_SAMPLES):
        detector.add(20.0, i)
    shifts = [detector.add(5.0, 100 + i) for i in range(20)]
    found = [s for s in shifts if s is not None]
    assert len(found) == 1 and (found[0].before_ms, found[0].after_ms, found[0].since_ns) == (20.0, 5.0, 100)


def test_a_change_of_two_percent_on_a_steady_hop_is_below_notice() -> None:
    detector = RttShiftDetector()
    for i in range(BASELINE_SAMPLES):
        detector.add(10.0, i)
    assert all(detector.add(10.2, 100 + i) is None for i in range(1000))
