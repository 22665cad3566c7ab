"""A tracer that is late to read its socket must not call answered probes lost.

On a busy host (the concurrency lab test: four tracers, ``ping -f`` and other work on two cores) the engine
thread can be off the CPU for longer than the probe timeout while answers wait in the socket buffer with
kernel timestamps a few milliseconds after their probes. The engine promises true numbers in that case
("kernel receive timestamps keep RTTs true even when Python is late to read them"). Here the simulated
network models one such stall: after a round is sent, the process is descheduled for 2 s (longer than the
1 s wait) before it can read; every answer of that round arrived within 10 ms.
"""

from __future__ import annotations

from tuitrace.config import TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.network import Arrivals
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.types import Probe

ROUNDS, STALLED_ROUND, STALL_S = 5, 2, 2.0
SCENARIO = {
    "path": {"family": 4, "source": "192.0.2.1", "target": "198.51.100.9"},
    "hop": [{"responders": ["192.0.2.254"], "rtt_ms": 1.0}, {"responders": ["203.0.113.1"], "rtt_ms": 4.0}],
    "target": {"rtt_ms": 10.0},
}


class StallingNetwork(SimNetwork):
    """The simulated network; once, right after the sends of one round, the reader is off the CPU for
    ``STALL_S`` seconds: time passes, the answers queue up (with their arrival times), nothing is read."""

    def __init__(self) -> None:
        super().__init__(parse_scenario(SCENARIO, "stall"))
        self._armed = False
        self.stalled = False

    def send(self, probe: Probe) -> int:
        if probe.round == STALLED_ROUND and not self.stalled:
            self._armed = True
        return super().send(probe)

    def receive(self, timeout: float) -> Arrivals:
        if self._armed:
            self._armed, self.stalled = False, True
            self._now += int(STALL_S * 1e9)
            return Arrivals([])
        return super().receive(timeout)


def run_with_stall() -> tuple[StallingNetwork, Engine]:
    network = StallingNetwork()
    config = TraceConfig(target="198.51.100.9", family=4, count=ROUNDS, interval=1.0, wait=1.0)
    engine = Engine(config, network)
    engine.run()
    return network, engine


def test_the_model_stalls_once_and_answers_everything_in_time() -> None:
    network, engine = run_with_stall()
    assert network.stalled
    snapshot = engine.snapshot()
    assert [hop.sent for hop in snapshot.hops] == [ROUNDS] * 3
    # Every answer's RTT is its hop's, stall or not: the arrival times are the network's, not the reader's.
    assert [hop.rtt.worst_ms for hop in snapshot.hops] == [1.0, 4.0, 10.0]


def test_answers_queued_before_the_deadline_count_even_when_read_late() -> None:
    _, engine = run_with_stall()
    snapshot = engine.snapshot()
    assert [hop.received for hop in snapshot.hops] == [ROUNDS] * 3, "answered in time, shown as lost"
    assert snapshot.dropped == 0
