"""``run_tui``: the engine runs only while the app does, and the report survives the screen, whether the
user quits with q or Ctrl+C or a signal ends the run."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from tuitrace.config import Protocol
from tuitrace.ui import app as app_module
from tuitrace.ui.app import TraceApp, run_tui
from tuitrace.ui.options import UiOptions
from tuitrace.ui.report import text_report

from .fake_engine import FakeEngine

STOP = [signal.SIGTERM, signal.SIGHUP, signal.SIGINT]
NEVER_QUIT = 99
"""What ``run_tui`` returns when the keys under test did not end the app (the pilot ends it then)."""


def press_then_quit(*keys: str) -> Any:
    return press(*keys, "q")


def press(*keys: str, then: Any = None) -> Any:
    """``TraceApp.run`` replaced by a headless run that presses ``keys`` (then calls ``then(pilot)``);
    if the app is still running after that, it is ended with :data:`NEVER_QUIT`."""
    original = TraceApp.run

    def run(self: TraceApp, **_: Any) -> Any:
        async def pilot(p: Pilot[object]) -> None:
            await p.press(*keys)
            if then is not None:
                await then(p)
            await p.pause()
            if p.app.is_running:
                p.app.exit(return_code=NEVER_QUIT)

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


@pytest.mark.parametrize("keys", [(), ("P",), ("question_mark",), ("enter",)],
                         ids=["table", "port-dialog", "help", "details"])
def test_ctrl_c_quits_like_q_and_prints_the_whole_report(
        engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        keys: tuple[str, ...]) -> None:
    """mtr quits on Ctrl+C; so does tuitrace, from the table or from any dialog, with q's exit status."""
    monkeypatch.setattr(app_module.TraceApp, "run", press(*keys, "ctrl+c"))
    assert run_tui(engine, UiOptions(report_on_exit=True)) == 0
    out = capsys.readouterr().out
    assert out.strip() == text_report(engine.snapshot(), None, numeric=False).strip()
    assert "partial" not in out
    assert engine.commands[-1] == ("stop",)


def unhandled(signum: int, frame: object) -> None:
    raise AssertionError(f"{signal.Signals(signum).name} reached the test: run_tui did not handle it")


@pytest.fixture
def fallback_handlers() -> Iterator[None]:
    """Without handling in ``run_tui`` a signal fails the test (instead of killing pytest)."""
    previous = {signum: signal.signal(signum, unhandled) for signum in STOP}
    yield
    for signum, handler in previous.items():
        signal.signal(signum, handler)


@pytest.mark.usefixtures("fallback_handlers")
@pytest.mark.parametrize("signum", STOP)
def test_a_stop_signal_ends_the_app_and_prints_the_partial_report(
        engine: FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        signum: signal.Signals) -> None:
    async def send(pilot: Pilot[object]) -> None:
        os.kill(os.getpid(), signum)
        await pilot.pause()

    monkeypatch.setattr(app_module.TraceApp, "run", press(then=send))
    assert run_tui(engine, UiOptions(report_on_exit=True)) == 128 + signum
    out = capsys.readouterr().out
    assert out.startswith(text_report(engine.snapshot(), None, numeric=False))
    assert f"partial: interrupted by {signum.name} after 6 rounds" in out
    assert engine.commands[-1] == ("stop",)
    assert signal.getsignal(signum) is unhandled, "the handlers are put back afterwards"
