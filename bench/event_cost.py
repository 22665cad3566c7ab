"""``python -m bench.event_cost``: what the event detector costs the engine, as a ratio of CPU per probe.

The engine runs on the simulated network (virtual clock, full speed, no sockets: the cheapest probe there
is, so the detector's share is at its largest) for the same rounds twice per trial: as shipped, and with
the detector's ``observe`` replaced by a no-op. Trials alternate and the medians are compared; the goal
is under 10% more CPU per probe. Absolute microseconds are context only (they depend on the machine).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from tuitrace.config import TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.types import ProbeResult
from tuitrace.timeline.detector import Timeline

SCENARIO = Path(__file__).parents[1] / "tests" / "scenarios" / "linear_v4.toml"
ROUNDS, TRIALS = 2000, 9
GOAL = 1.10


def cpu_per_probe() -> float:
    scenario = load_scenario(SCENARIO)
    config = TraceConfig(target=scenario.target, family=scenario.family, count=ROUNDS, interval=0.1, wait=1.0)
    network = SimNetwork(scenario)
    engine = Engine(config, network)
    started = time.process_time()
    engine.run()
    spent = time.process_time() - started
    return spent / engine.snapshot().probes_sent


def main() -> None:
    shipped = Timeline.observe

    def skip(self: Timeline, result: ProbeResult, seen_ns: int) -> None:
        return None

    with_detector: list[float] = []
    without: list[float] = []
    for _ in range(TRIALS):
        Timeline.observe = shipped  # type: ignore[method-assign]
        with_detector.append(cpu_per_probe())
        Timeline.observe = skip  # type: ignore[method-assign]
        without.append(cpu_per_probe())
    Timeline.observe = shipped  # type: ignore[method-assign]
    a, b = statistics.median(with_detector), statistics.median(without)
    ratio = a / b
    print(f"CPU per probe: with events {a * 1e6:.1f} us, without {b * 1e6:.1f} us; ratio {ratio:.3f} "
          f"(goal < {GOAL:.2f}: {'met' if ratio < GOAL else 'NOT met'})")


if __name__ == "__main__":
    main()
