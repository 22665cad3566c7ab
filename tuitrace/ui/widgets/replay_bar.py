"""The position bar of a replay (``--replay``, ``--demo``): where in the recording, how fast, which keys.

One line over the footer; it is only mounted when the engine is a replay, so the live screen is unchanged.
"""

from __future__ import annotations

from textual.widgets import Static

from tuitrace.replay.control import ReplayControl

KEYS_HINT = "p pause  < > speed  ← → step"


def clock_text(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def bar_text(replay: ReplayControl, width: int) -> str:
    """``▶ replay x2   ━━━━━━━━╸───────   1:23 / 5:00   p pause  < > speed  ← → step``"""
    at, total = replay.position
    state = "■ end" if replay.at_end else ("⏸ paused" if replay.paused else "▶ replay")
    speed = f"x{replay.speed:g}"
    times = f"{clock_text(at)} / {clock_text(total)}"
    left, right = f"{state} {speed}  ", f"  {times}  {KEYS_HINT}"
    room = max(10, width - len(left) - len(right))
    done = round(room * (at / total if total > 0 else 1.0))
    return left + "━" * done + "─" * (room - done) + right


class ReplayBar(Static):
    def __init__(self, replay: ReplayControl, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.replay = replay
        self.plain = ""

    def refresh_bar(self) -> None:
        text = bar_text(self.replay, max(40, self.size.width or 100))
        if text != self.plain:
            self.plain = text
            self.update(text)
