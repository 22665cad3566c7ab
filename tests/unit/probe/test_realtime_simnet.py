"""The wall-clock simulated network under stop signals: a report runs the engine in the main thread, where
a signal raises ``Interrupted`` wherever the thread is, often inside ``receive``'s wait. The engine's
``stop`` then wakes the network; that must never block (it did, about one run in twenty of the stop-signal
tests on a loaded machine, when the wait was a ``threading.Event`` whose lock the exception left held)."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import RealtimeSimNetwork

SCENARIO = Path(__file__).parents[2] / "scenarios" / "linear_v4.toml"
INTERRUPTIONS = 3000
"""Exceptions raised inside ``receive`` before the test is satisfied. With the Event a ``wake`` blocked
after 12 to a few hundred of them (failed 4 runs in 4 at 3000, 1 in 3 at 400); with the pipe none does."""
HANG_S = 2.0
"""How long a ``wake`` may take before it counts as blocked for ever (it takes microseconds)."""


class Stop(BaseException):
    """Stands for ``Interrupted``."""


class Trigger:
    """While ``armed``, the next SIGALRM raises ``Stop`` (a plain flag: a lock taken in a signal handler
    could be the one the interrupted code holds)."""

    armed = False

    def handler(self, signum: int, frame: FrameType | None) -> None:
        if self.armed:
            self.armed = False
            raise Stop


@pytest.fixture
def trigger() -> Iterator[Trigger]:
    """SIGALRM every 200 µs while the test runs."""
    made = Trigger()
    previous = signal.signal(signal.SIGALRM, made.handler)
    signal.setitimer(signal.ITIMER_REAL, 0.0002, 0.0002)
    yield made
    made.armed = False
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def test_wake_never_blocks_after_a_signal_interrupted_the_wait(trigger: Trigger) -> None:
    network = RealtimeSimNetwork(load_scenario(SCENARIO))
    interrupted = 0
    deadline = time.monotonic() + 60
    try:
        while interrupted < INTERRUPTIONS and time.monotonic() < deadline:
            try:
                trigger.armed = True
                network.receive(0.0005)
                trigger.armed = False
            except Stop:
                interrupted += 1
                waker = threading.Thread(target=network.wake, daemon=True)
                waker.start()
                waker.join(HANG_S)
                assert not waker.is_alive(), f"wake blocked after {interrupted} interrupted waits"
    finally:
        trigger.armed = False
        network.close()
    assert interrupted == INTERRUPTIONS


def test_wake_after_close_does_nothing() -> None:
    network = RealtimeSimNetwork(load_scenario(SCENARIO))
    network.close()
    network.wake()
    network.close()
    assert network.receive(0.001).replies == []
