"""The seam between the engine and whoever drives it (the TUI, the reports, tests).

The UI only renders snapshots and sends commands; a fake engine that implements this protocol is all a
UI test needs.
"""

from __future__ import annotations

from typing import Protocol

from tuitrace.config import Protocol as ProbeProtocol
from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Event


class EngineControl(Protocol):
    error: BaseException | None
    """Set when the probing loop died (shown by the UI); ``None`` while all is well."""

    def start(self) -> None:
        """Begin probing in the background; returns at once."""

    def stop(self) -> None:
        """Stop probing and release sockets; safe to call twice."""

    def snapshot(self) -> TraceSnapshot:
        """The current statistics of the active setting."""

    def set_protocol(self, protocol: ProbeProtocol, port: int | None) -> None:
        """Switch protocol and destination port (``None``: ICMP, or classic UDP 33434+n).

        Statistics are kept per (protocol, port): switching back shows the earlier numbers again.
        """

    def set_sendwait(self, seconds: float) -> None: ...

    def set_interval(self, seconds: float) -> None: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def reset(self) -> None:
        """Forget the statistics of the active setting."""

    def take_messages(self) -> list[str]:
        """Messages for the user since the last call, e.g. a protocol this mode cannot trace."""

    def events(self) -> list[Event]:
        """What happened so far, oldest first (the reports' "Events")."""

    def flows(self) -> FlowsSnapshot | None:
        """``--flows``: each flow and the distinct paths of the active setting; ``None`` without."""
