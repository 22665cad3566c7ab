"""Peak memory of the engine after N probes on the simulated network, in a process of its own.

Run as ``python -m bench.memory PROBES``: prints one JSON line with the probes sent, the peak RSS in KiB
and the CPU seconds spent. A separate process per size, so that one size's peak cannot hide another's.
The simulated network runs on a virtual clock, so a million probes take CPU time only, no waiting.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any

from tuitrace.config import TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.types import Probe

HOPS = 10
"""Path length of the simulated path: every round sends this many probes."""

TARGET = "198.51.100.10"
SCENARIO: dict[str, Any] = {
    "path": {"family": 4, "source": "192.0.2.1", "target": TARGET, "seed": 7},
    "hop": [{"responders": [f"203.0.113.{n}"], "rtt_ms": 1.0 + n, "jitter_ms": 0.5} for n in range(1, HOPS)],
    "target": {"rtt_ms": 12.0, "jitter_ms": 1.0},
}


class FlatSimNetwork(SimNetwork):
    """The simulated network without its log of every probe sent (a test aid that grows by design):
    what is measured is then the engine's own memory."""

    def send(self, probe: Probe) -> int:
        super().send(probe)
        self.sent.clear()
        return self.now_ns()


def measure(probes: int) -> dict[str, float]:
    network = FlatSimNetwork(parse_scenario(SCENARIO, "memory"))
    rounds = max(1, probes // HOPS)
    config = TraceConfig(target=TARGET, family=4, interval=0.001, wait=1.0,
                         count=rounds, max_ttl=HOPS)
    engine = Engine(config, network)
    started = time.process_time()
    engine.run()
    cpu = time.process_time() - started
    snapshot = engine.snapshot()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"probes": snapshot.probes_sent, "maxrss_kib": usage.ru_maxrss, "cpu_s": cpu,
            "received": sum(hop.received for hop in snapshot.hops)}


def main() -> None:
    print(json.dumps(measure(int(sys.argv[1]))))


if __name__ == "__main__":
    main()
