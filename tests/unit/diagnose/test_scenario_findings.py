"""Every scenario file says which findings a user must see (``[expect] findings``, none when absent):
the kinds must match exactly, so a clean path that gives any finding fails here too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.engine.test_scenarios import SCENARIOS, run_scenario
from tuitrace.diagnose.rules import diagnose
from tuitrace.probe.scenario import load_scenario


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_findings(path: Path) -> None:
    scenario = load_scenario(path)
    findings = diagnose(run_scenario(scenario))
    assert sorted(f.kind.value for f in findings) == sorted(scenario.expect.get("findings", []))
    for expected in scenario.expect.get("finding", []):
        match = [f for f in findings if f.kind.value == expected["kind"]]
        assert match, expected
        finding = match[0]
        for key in ("ttl", "address", "text"):
            if key in expected:
                assert getattr(finding, key) == expected[key], (key, finding)
        assert finding.text.endswith(".") and "\n" not in finding.text


def test_every_kind_has_a_scenario() -> None:
    kinds = {kind for path in SCENARIOS for kind in load_scenario(path).expect.get("findings", [])}
    assert kinds >= {"forward_loss", "reply_loss_only", "blocked", "routing_loop", "return_asymmetry",
                     "destination_silent"}
