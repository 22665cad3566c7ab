"""``run_tui``: the engine runs only while the app does, and the report survives the screen."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tuitrace.config import Protocol
from tuitrace.ui import app as app_module
from tuitrace.ui.app import TraceApp, run_tui
from tuitrace.ui.options import UiOptions
from tuitrace.ui.report import text_report

from .fake_engine import FakeEngine


def press_then_quit(*keys: str) -> Any:
    original = TraceApp.run

    def run(self: TraceApp, **_: Any) -> Any:
        async def pilot(p: Pilot[object]) -> None:
            await p.press(*keys, "q")

        return original(self, headless=True, size=(80, 24), auto_pilot=pilot)

    return run


@pytest.mark.parametrize("report", [True, False])
def test_run_tui_starts_and_stops_the_engine_and_prints_the_report(
        engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        report: bool) -> None:
    monkeypatch.setattr(app_module.TraceApp, "run", press_then_quit("t"))
    assert run_tui(engine, UiOptions(report_on_exit=report)) == 0
    assert engine.commands[0] == ("start",)
    assert engine.commands[-1] == ("stop",)
    assert ("set_protocol", Protocol.TCP, 80) in engine.commands
    out = capsys.readouterr().out
    if report:
        assert out.strip() == text_report(engine.snapshot(), None, numeric=False).strip()
        assert "TCP" in out
    else:
        assert out == ""
