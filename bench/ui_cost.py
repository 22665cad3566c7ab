"""Cost of one table update in the TUI: a snapshot of 30 hops x 8 responders applied to the live table.

``python -m bench.ui_cost UPDATES [MODE]`` runs the real app headless (``App.run_test``) on a fake engine
whose every snapshot differs from the previous one in every RTT cell and every history value (the worst
case for an update that changes only what differs), times ``refresh_view`` (pull the snapshot, build the
rows, change the cells) and, separately, the render that follows (``pilot.pause`` until the screen is
idle), and prints one JSON line with the medians in milliseconds. MODE is the display mode (``table``,
``strip``, ``chart``; ``d`` is pressed until it shows).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

from tuitrace.config import Mode, Protocol, Setting
from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, RttSummary, RunState, TraceSnapshot
from tuitrace.timeline.events import Event
from tuitrace.ui.app import TraceApp

HOPS = 30
RESPONDERS = 8


def _rtt(base: float, count: int) -> RttSummary:
    return RttSummary(count=count, last_ms=base, avg_ms=base * 1.01, best_ms=base * 0.9, worst_ms=base * 1.3,
                      stdev_ms=base * 0.05, jitter_ms=base * 0.02, jitter_avg_ms=base * 0.03,
                      jitter_max_ms=base * 0.1)


def make_snapshot(step: int) -> TraceSnapshot:
    """Round ``step`` of a long path whose every hop is an ECMP stage of 8 routers."""
    rounds = 10 + step
    hops = []
    for ttl in range(1, HOPS + 1):
        base = ttl * 1.7 + (step % 7) * 0.113
        responders = tuple(
            ResponderSnapshot(address=f"10.{ttl}.{n}.1", received=rounds // RESPONDERS + n,
                              share_pct=100.0 / RESPONDERS, rtt=_rtt(base + n * 0.37, rounds),
                              annotations=(), is_target=ttl == HOPS, reply_ttl=64 - ttl)
            for n in range(RESPONDERS))
        history = tuple(base + ((i + step) % 5) * 0.1 for i in range(min(rounds + 200, 360)))
        hops.append(HopSnapshot(ttl=ttl, sent=rounds, received=rounds - step % 3, rtt=_rtt(base, rounds),
                                responders=responders, history=history))
    return TraceSnapshot(host="bench", target=f"10.{HOPS}.0.1", family=4,
                         setting=Setting(Protocol.ICMP, None),
                         mode=Mode.SIMULATED, interval=1.0, sendwait=0.0, wait=2.0, max_ttl=30,
                         state=RunState.RUNNING, rounds=rounds, elapsed=float(rounds), reached=True,
                         path_length=HOPS, hops=tuple(hops), probes_sent=rounds * HOPS, dropped=0)


class SnapshotEngine:
    """Just enough of ``EngineControl`` for the app: hands out the snapshot the benchmark set."""

    def __init__(self) -> None:
        self.current = make_snapshot(0)
        self.error: BaseException | None = None

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def snapshot(self) -> TraceSnapshot:
        return self.current
    def set_protocol(self, protocol: Protocol, port: int | None) -> None: ...
    def set_sendwait(self, seconds: float) -> None: ...
    def set_interval(self, seconds: float) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def reset(self) -> None: ...

    def take_messages(self) -> list[str]:
        return []

    def events(self) -> list[Event]:
        return []

    def flows(self) -> None:
        return None


async def measure(updates: int, mode: str = "table") -> dict[str, float]:
    engine = SnapshotEngine()
    snapshots = [make_snapshot(step) for step in range(1, updates + 1)]
    app = TraceApp(engine)
    apply_ms: list[float] = []
    render_ms: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        while app.display_mode.value != mode:
            await pilot.press("d")
            await pilot.pause()
        for snapshot in snapshots:
            engine.current = snapshot
            t0 = time.perf_counter()
            app.refresh_view()
            t1 = time.perf_counter()
            await pilot.pause()
            t2 = time.perf_counter()
            apply_ms.append((t1 - t0) * 1000)
            render_ms.append((t2 - t1) * 1000)
    return {"updates": updates, "apply_ms": statistics.median(apply_ms),
            "render_ms": statistics.median(render_ms), "rows": HOPS * (RESPONDERS + 1)}


def main() -> None:
    mode = sys.argv[2] if len(sys.argv) > 2 else "table"
    print(json.dumps(asyncio.run(measure(int(sys.argv[1]), mode))))


if __name__ == "__main__":
    main()
