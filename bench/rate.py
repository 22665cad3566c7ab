"""One sustained-rate trial of the engine on raw sockets, run inside the lab's src namespace.

``python -m bench.rate TARGET HOPS RATE SECONDS`` asks for ``RATE`` probes a second (rounds of ``HOPS``
probes, one round every ``HOPS / RATE`` seconds) for about ``SECONDS``, then prints one JSON line: probes
sent, replies matched, packets dropped as not ours or malformed, and the rate really achieved. The command
line's ``-i`` stops at 1 ms between rounds, which is why this drives the engine directly.
"""

from __future__ import annotations

import json
import sys
import time

from tuitrace.config import TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.rawnet import RawNetwork


def trial(target: str, hops: int, rate: float, seconds: float) -> dict[str, float]:
    interval = hops / rate
    config = TraceConfig(target=target, family=4, interval=interval, wait=1.0,
                         count=max(1, int(seconds / interval)), max_ttl=hops)
    engine = Engine(config, RawNetwork(4, target))
    started = time.perf_counter()
    cpu0 = time.process_time()
    engine.run()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    snapshot = engine.snapshot()
    engine.stop()
    sent_rounds = snapshot.probes_sent
    received = sum(hop.received for hop in snapshot.hops)
    # The last probes are answered within microseconds here: the send phase is the elapsed time.
    return {"requested": rate, "sent": sent_rounds, "received": received, "dropped": snapshot.dropped,
            "achieved": sent_rounds / elapsed if elapsed > 0 else 0.0, "cpu_s": cpu, "elapsed_s": elapsed}


def main() -> None:
    target, hops, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    print(json.dumps(trial(target, hops, rate, seconds)))


if __name__ == "__main__":
    main()
