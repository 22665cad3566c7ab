"""What the screen may ask of a replay beyond ``EngineControl``: where it is, and how fast it goes.

A protocol, checked at run time, so the app shows the position bar and answers the replay keys only when
its engine is a replay; the live engine does not implement it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class ReplayControl(Protocol):
    speed: float

    @property
    def position(self) -> tuple[float, float]:
        """Seconds into the recording shown now, and its length."""

    @property
    def paused(self) -> bool: ...

    @property
    def at_end(self) -> bool: ...

    def change_speed(self, direction: int) -> float:
        """Faster (1) or slower (-1); the new speed."""

    def step(self, direction: int) -> None:
        """Pause and show the start of the next (1) or previous (-1) round."""
