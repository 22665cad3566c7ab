"""The app on the real engine: the probing thread, its snapshots and its commands, on a simulated path.

The other UI tests use a fake engine that invents numbers on demand; here the real ``Engine`` probes a
``RealtimeSimNetwork`` (real packet bytes, answered on the wall clock, nothing sent anywhere) in its own
thread while Pilot drives the app, so what the user sees is what the engine measured from the scenario.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import RealtimeSimNetwork
from tuitrace.ui.app import TraceApp

from .helpers import cells, header, row_keys

SCENARIO = Path(__file__).parents[1] / "scenarios" / "ecmp_udp_classic_v4.toml"
PATIENCE = 300
"""Pauses of 0.05 s before giving up on what the engine should show (15 s, far above what it needs)."""


async def until(pilot: Pilot[int], app: TraceApp, what: str, shown: Callable[[], bool]) -> None:
    """Let the app run until ``shown()`` holds; fail with ``what`` if it never does."""
    for _ in range(PATIENCE):
        if shown():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never shown: {what}; rows {row_keys(app)}")


def host(app: TraceApp, key: str) -> str:
    return cells(app, key)["host"] if key in row_keys(app) else ""


async def test_the_real_engine_fills_the_table_with_the_scenarios_routers_and_follows_the_keys() -> None:
    scenario = load_scenario(SCENARIO)
    hops = scenario.hops
    target = scenario.target
    config = TraceConfig(target=target, family=scenario.family, host="sim-target",
                         setting=Setting(Protocol.UDP, None), interval=0.05, wait=0.5)
    engine = Engine(config, RealtimeSimNetwork(scenario))
    app = TraceApp(engine)
    engine.start()
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            ecmp = [f"hop-2-{address}" for address in hops[1].responders]
            await until(pilot, app, "every hop, both ECMP branches, the target", lambda: all(
                key in row_keys(app) for key in ["hop-1", "hop-3", "hop-4", *ecmp])
                and target in host(app, "hop-4"))
            assert host(app, "hop-1") == hops[0].responders[0]
            assert host(app, "hop-3") == hops[2].responders[0]
            for key, address in zip(ecmp, hops[1].responders, strict=True):
                assert address in host(app, key)
            assert row_keys(app)[-1] == "hop-4", "the path ends at the target"
            assert "UDP 33434+n" in header(app)
            assert int(cells(app, "hop-1")["snt"]) > 0 and cells(app, "hop-1")["loss"] == "0.0%"

            await pilot.press("i")  # ICMP keeps one flow: one ECMP branch only (Paris traceroute)
            await until(pilot, app, "the ICMP trace to the target",
                        lambda: "ICMP" in header(app).split("\n")[0] and target in host(app, "hop-4"))
            assert [key for key in row_keys(app) if key.startswith("hop-2")] == ["hop-2"]
            assert host(app, "hop-2") in hops[1].responders

            await pilot.press("p")
            await until(pilot, app, "paused", lambda: "paused" in header(app))
            await pilot.press("u")  # back to classic UDP: its statistics were kept
            await until(pilot, app, "the UDP numbers again",
                        lambda: all(key in row_keys(app) for key in ecmp))
            assert engine.error is None
    finally:
        engine.stop()
    assert not engine.running
