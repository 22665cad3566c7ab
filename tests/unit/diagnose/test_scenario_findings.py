"""Every scenario file gives exactly the findings listed for it in scenario_findings.toml, and a scenario
not listed gives none, so a clean path that cries wolf fails here."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.unit.diagnose.simulate import SCENARIOS, diagnose_file
from tuitrace.diagnose.finding import Kind

EXPECTED: dict[str, Any] = tomllib.loads(
    (Path(__file__).parent / "scenario_findings.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_findings(path: Path) -> None:
    expected = EXPECTED.get(path.stem, {})
    findings = diagnose_file(path)
    assert sorted(f.kind.value for f in findings) == sorted(expected.get("kinds", []))
    for pinned in expected.get("finding", []):
        match = [f for f in findings if f.kind.value == pinned["kind"]]
        assert match, pinned
        for key in ("ttl", "address", "text"):
            if key in pinned:
                assert getattr(match[0], key) == pinned[key], (key, match[0])
    for finding in findings:
        assert finding.text.endswith(".") and "\n" not in finding.text


def test_every_listed_scenario_exists_and_every_kind_has_one() -> None:
    assert set(EXPECTED) <= {p.stem for p in SCENARIOS}
    one_trace = {kind.value for kind in Kind} - {Kind.PROTOCOL_DIVERGENCE.value}  # compare mode's: several
    assert {kind for case in EXPECTED.values() for kind in case["kinds"]} == one_trace  # (tests/unit/multi)
