"""The events so far reach the ticket: the screenshot's Markdown report and ``--report-on-exit`` end with
the "Events" block of the text report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tuitrace.timeline.events import Event, EventKind
from tuitrace.ui import app as app_module
from tuitrace.ui.app import TraceApp, run_tui
from tuitrace.ui.options import UiOptions

from .fake_engine import FakeEngine
from .test_run_tui import press_then_quit

BURST = Event("2026-12-01T14:02:11.204Z", 72.41, EventKind.LOSS_BURST, 5, "10.0.9.2", 2.3,
              "12 probes in a row to the destination were lost (2.3 s).")


async def test_the_screenshot_report_lists_the_events_so_far(engine: FakeEngine, tmp_path: Path) -> None:
    engine.recorded_events.append(BURST)
    app = TraceApp(engine, UiOptions(output_dir=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("s")
        await pilot.pause()
    [markdown] = tmp_path.glob("*.md")
    text = markdown.read_text(encoding="utf-8")
    events = text.split("\nEvents\n", 1)[1]
    assert "2026-12-01T14:02:11.204Z" in events and "loss_burst" in events and BURST.text in events


def test_the_report_on_exit_ends_with_the_events(
        engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    engine.recorded_events.append(BURST)
    monkeypatch.setattr(app_module.TraceApp, "run", press_then_quit("t"))
    assert run_tui(engine, UiOptions(report_on_exit=True)) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(BURST.text)
    assert "\nEvents\n" in out
