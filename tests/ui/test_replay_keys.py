"""The replay screen (``--replay``, ``--demo``): the same app on a recording, with a position bar and keys
for pause, speed and stepping; the live screen has neither the bar nor the keys."""

from __future__ import annotations

from pathlib import Path

from tests.unit.replay.make import record_simulated
from tuitrace.replay.engine import ReplayEngine
from tuitrace.replay.reader import read_recording
from tuitrace.stats.snapshot import RunState
from tuitrace.ui.app import TraceApp
from tuitrace.ui.widgets.replay_bar import ReplayBar

from .fake_engine import FakeEngine


async def test_replay_keys_pause_change_speed_and_step(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    record_simulated(path, rounds=40, keys=False)
    now = [100.0]
    engine = ReplayEngine(read_recording(path), monotonic=lambda: now[0])
    app = TraceApp(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.query_one(ReplayBar)
        app.refresh_view()
        assert bar.plain.startswith("▶ replay x1") and "0:00 /" in bar.plain
        now[0] += 1.0  # one second of the recording plays in one second
        app.refresh_view()
        rounds_after_1s = engine.snapshot().rounds
        assert engine.position[0] == 1.0 and rounds_after_1s >= 3  # rounds every 0.2 s
        await pilot.press("greater_than_sign")
        await pilot.press("greater_than_sign")
        assert engine.speed == 4.0 and "x4" in bar.plain
        now[0] += 0.5
        assert engine.position[0] == 3.0  # 0.5 s at four times the speed
        await pilot.press("less_than_sign")
        assert engine.speed == 2.0
        await pilot.press("p")
        assert engine.snapshot().state is RunState.PAUSED and bar.plain.startswith("⏸ paused")
        now[0] += 5.0
        assert engine.position[0] == 3.0  # paused: the replay clock stands still
        rounds = engine.snapshot().rounds
        await pilot.press("right")
        assert engine.snapshot().rounds == rounds + 1 and engine.paused
        await pilot.press("left")
        await pilot.press("left")
        assert engine.snapshot().rounds == rounds - 1
        await pilot.press("p")
        assert not engine.paused
        now[0] += 60.0
        app.refresh_view()
        assert engine.at_end and bar.plain.startswith("■ end")
        assert engine.snapshot().state is RunState.FINISHED
        await pilot.press("u")  # a replay cannot change what was recorded: it says so
        await pilot.pause()
        assert engine.snapshot().setting.port is None


async def test_the_live_screen_has_no_replay_bar_and_ignores_the_replay_keys(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        assert not app.query(ReplayBar)
        before = engine.snapshot()
        await pilot.press("greater_than_sign", "right", "left")
        assert engine.snapshot().setting == before.setting
