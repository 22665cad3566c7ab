"""Run a scenario through the real engine on the simulated network, headless, on its virtual clock.

The findings tests read a scenario's ``[run]`` table themselves (protocol, port, rounds, interval,
max_ttl), so they depend on the simulator's path format only, not on how the engine tests read theirs.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.stats.snapshot import TraceSnapshot

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.toml"))


def run_data(data: dict[str, Any], name: str = "scenario") -> TraceSnapshot:
    scenario = parse_scenario(data, name)
    run = data.get("run", {})
    config = TraceConfig(
        target=scenario.target,
        family=scenario.family,
        setting=Setting(Protocol(run.get("protocol", "icmp")), run.get("port")),
        count=int(run.get("rounds", 10)),
        interval=float(run.get("interval", 1.0)),
        max_ttl=int(run.get("max_ttl", 30)),
    )
    engine = Engine(config, SimNetwork(scenario))
    engine.run()
    return engine.snapshot()


def run_file(path: Path) -> TraceSnapshot:
    return run_data(tomllib.loads(path.read_text(encoding="utf-8")), path.stem)
