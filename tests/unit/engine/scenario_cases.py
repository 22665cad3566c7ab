"""The test side of a scenario file: how to trace it (``[run]``) and what a user must see (``[expect]``).

The simulator reads only the path; these tables are the tests' own, so they are parsed here into typed
values (a misspelt key or a wrongly typed value fails loudly instead of silently checking nothing).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.probe.scenario import Scenario, load_scenario


@dataclass(frozen=True, slots=True)
class ScenarioRun:
    protocol: Protocol = Protocol.ICMP
    port: int | None = None
    rounds: int = 10
    interval: float = 1.0
    max_ttl: int = 30

    def config(self, scenario: Scenario) -> TraceConfig:
        return TraceConfig(target=scenario.target, family=scenario.family, setting=Setting(self.protocol,
                           self.port), count=self.rounds, interval=self.interval, max_ttl=self.max_ttl)


@dataclass(frozen=True, slots=True)
class HopExpectation:
    ttl: int
    responders: tuple[str, ...] | None = None
    responder_count: int | None = None
    loss_pct: tuple[float, float] | None = None
    avg_ms: tuple[float, float] | None = None
    annotations: tuple[str, ...] | None = None
    min_share_pct: float | None = None


@dataclass(frozen=True, slots=True)
class Expectation:
    reached: bool
    path_length: int | None = None
    hops: tuple[HopExpectation, ...] = ()


@dataclass(frozen=True, slots=True)
class ScenarioCase:
    scenario: Scenario
    run: ScenarioRun
    expect: Expectation


def _keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    assert not unknown, f"{where}: unknown keys {sorted(unknown)}"


def _range(value: object, where: str) -> tuple[float, float]:
    assert isinstance(value, list) and len(value) == 2, f"{where}: want [low, high]"
    low, high = value
    assert isinstance(low, int | float) and isinstance(high, int | float) and low <= high, where
    return float(low), float(high)


def _strings(value: object, where: str) -> tuple[str, ...]:
    assert isinstance(value, list) and all(isinstance(item, str) for item in value), where
    return tuple(value)


def _hop(table: dict[str, Any], where: str) -> HopExpectation:
    _keys(table, {f.name for f in HopExpectation.__dataclass_fields__.values()}, where)
    ttl = table["ttl"]
    assert isinstance(ttl, int), where
    count, share = table.get("responder_count"), table.get("min_share_pct")
    assert count is None or isinstance(count, int), where
    assert share is None or isinstance(share, int | float), where
    return HopExpectation(
        ttl=ttl,
        responders=_strings(table["responders"], where) if "responders" in table else None,
        responder_count=count,
        loss_pct=_range(table["loss_pct"], where) if "loss_pct" in table else None,
        avg_ms=_range(table["avg_ms"], where) if "avg_ms" in table else None,
        annotations=_strings(table["annotations"], where) if "annotations" in table else None,
        min_share_pct=None if share is None else float(share),
    )


def load_case(path: Path) -> ScenarioCase:
    scenario = load_scenario(path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    run, expect = data.get("run", {}), data.get("expect", {})
    _keys(run, {"protocol", "port", "rounds", "interval", "max_ttl"}, f"{path.name} [run]")
    _keys(expect, {"reached", "path_length", "hop"}, f"{path.name} [expect]")
    assert isinstance(expect.get("reached"), bool), f"{path.name}: [expect].reached must be true or false"
    return ScenarioCase(
        scenario=scenario,
        run=ScenarioRun(
            protocol=Protocol(run.get("protocol", "icmp")),
            port=run.get("port"),
            rounds=int(run.get("rounds", 10)),
            interval=float(run.get("interval", 1.0)),
            max_ttl=int(run.get("max_ttl", 30)),
        ),
        expect=Expectation(
            reached=expect["reached"],
            path_length=expect.get("path_length"),
            hops=tuple(_hop(hop, f"{path.name} hop {i + 1}") for i, hop in enumerate(expect.get("hop", []))),
        ),
    )
