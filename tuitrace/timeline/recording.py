"""The engine's side of ``--record``: what a recorder is told, so a run can be rebuilt exactly later.

The engine's results are what the statistics, the path view and the event detector are built from, so a
recorder hears exactly those, with the time the engine saw them (``results``), the commands that changed how
probes are sent (``command``), and a small summary of the tracer's path knowledge (``Progress``) whenever it
changes. Replaying these into the same statistics and detector gives the same report (see
:mod:`tuitrace.replay`). The protocol lives here, below the engine, so the engine does not know files.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import NamedTuple, Protocol

from tuitrace.config import Setting
from tuitrace.probe.types import ProbeResult


class Command(enum.StrEnum):
    """A change the engine applied (a key press in the live screen)."""

    PROTOCOL = "protocol"
    """Value: the new :class:`~tuitrace.config.Setting`."""
    SENDWAIT = "sendwait"
    INTERVAL = "interval"
    PAUSE = "pause"
    RESUME = "resume"
    RESET = "reset"
    NOTE = "note"
    """Value: (text, setting or ``None``) given to the detector's ``setting_changed``."""


class Progress(NamedTuple):
    """What the tracer knows of the path of the active setting, as a snapshot shows it."""

    setting: Setting
    rounds: int
    end: int | None
    reached: bool
    last_shown: int
    """The last TTL a snapshot shows (see ``PathState.last_shown``)."""


class Counts(NamedTuple):
    sent: int
    dropped: int


Trim = tuple[int, Setting, int]
"""(position in the results, setting, TTL): rows of the setting beyond TTL are cleared after that position."""


class RunRecorder(Protocol):
    def results(self, now_ns: int, results: Sequence[ProbeResult], trims: Sequence[Trim]) -> None:
        """A batch of results as the engine hands them to the statistics (lock held)."""

    def progress(self, now_ns: int, progress: Progress, counts: Counts) -> None:
        """The path summary changed (a round started, the end moved...)."""

    def command(self, now_ns: int, command: Command, value: object = None) -> None:
        """A setting change the engine applied."""
