"""``run_screen``, the one way every screen (one trace, compare mode, several targets) runs: engines start
before the app and stop after what the report needs was taken; the report follows, marked partial when a
signal ended the run."""

from __future__ import annotations

import os
import signal

import pytest
from textual.app import App

from tuitrace.ui.running import run_screen


class Recorder:
    def __init__(self, log: list[str], name: str) -> None:
        self.log, self.name = log, name

    def start(self) -> None:
        self.log.append(f"start {self.name}")

    def stop(self) -> None:
        self.log.append(f"stop {self.name}")


class Quits(App[int]):
    """Quits with status 3 as soon as it runs; with ``signum``, sends itself that signal instead."""

    def __init__(self, log: list[str], signum: int | None = None) -> None:
        super().__init__()
        self.steps, self.signum = log, signum

    def on_mount(self) -> None:
        self.steps.append("app")
        if self.signum is None:
            self.exit(return_code=3)
        else:
            os.kill(os.getpid(), self.signum)

    def run(self, **_: object) -> int | None:
        return super().run(headless=True, size=(40, 10))


def test_engines_run_only_around_the_app_and_the_report_follows(capsys: pytest.CaptureFixture[str]) -> None:
    log: list[str] = []

    def final() -> str:
        log.append("final")
        return "the report"

    def report(text: str) -> tuple[str, int]:
        log.append("report")
        return text, 4

    status = run_screen(Quits(log), [Recorder(log, "a"), Recorder(log, "b")], final, report)
    assert status == 3
    assert log == ["start a", "start b", "app", "final", "stop a", "stop b", "report"]
    assert capsys.readouterr().out == "the report\n"


def test_no_report_asked_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    log: list[str] = []
    assert run_screen(Quits(log), [Recorder(log, "a")], lambda: "x", None) == 3
    assert log == ["start a", "app", "stop a"]
    assert capsys.readouterr().out == ""


def test_a_stop_signal_ends_the_screen_and_marks_the_report_partial(
        capsys: pytest.CaptureFixture[str]) -> None:
    log: list[str] = []
    status = run_screen(Quits(log, signal.SIGTERM), [Recorder(log, "a")], lambda: "rows", lambda t: (t, 6))
    assert status == 128 + signal.SIGTERM
    assert log == ["start a", "app", "stop a"]
    out = capsys.readouterr().out
    assert out.startswith("rows")
    assert "partial: interrupted by SIGTERM after 6 rounds" in out
