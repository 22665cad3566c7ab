"""The engine of compare mode: the ordinary engine with compare mode's tracer, and one more command.

Which settings are compared can change while the trace runs (a key adds or removes one); like every
command, the change is applied in the engine thread with the lock held, so a round is never half one
list and half the other.
"""

from __future__ import annotations

from collections.abc import Sequence

from tuitrace.config import Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.errors import TuitraceError
from tuitrace.probe.compare import CompareTracer
from tuitrace.probe.network import Network


class CompareEngine(Engine):
    def __init__(self, config: TraceConfig, network: Network, settings: Sequence[Setting]) -> None:
        for setting in settings:
            network.prepare(setting)
        self._compare_tracer = CompareTracer(config, network.identity, settings)
        super().__init__(self._compare_tracer.config, network)
        self._tracer = self._compare_tracer  # nothing has used the ordinary one the engine made

    @property
    def compared(self) -> tuple[Setting, ...]:
        """The settings traced now, the reference first."""
        with self._lock:
            return self._compare_tracer.compared

    def set_compared(self, settings: Sequence[Setting]) -> None:
        """Trace ``settings`` from the next round on (from any thread); a setting the back-end cannot
        trace is left out with a message, like a refused protocol switch."""
        wanted = tuple(settings)

        def apply(_now: int) -> None:
            usable = []
            for setting in wanted:
                try:
                    self._network.prepare(setting)
                except TuitraceError as exc:
                    self._messages.append(f"cannot trace {setting.label}: {exc}")
                    continue
                usable.append(setting)
            if usable:
                self._compare_tracer.set_compared(usable)

        self._submit(apply)
