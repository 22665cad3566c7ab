"""The flows view (key ``f``): the distinct paths of ``--flows N`` with per-branch loss and RTT, refreshed
while it is open. ↑/↓ choose the path shown hop by hop (before the scroll area would take them); Esc or
``f`` closes."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.ui.widgets.flow_view import flows_view_text

REFRESH_SECONDS = 1.0


class FlowsScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f,q", "close", "Close", show=False),
        Binding("up", "choose(-1)", "Path above", show=False, priority=True),
        Binding("down", "choose(1)", "Path below", show=False, priority=True),
    ]

    def __init__(self, flows: Callable[[], FlowsSnapshot | None]) -> None:
        super().__init__()
        self._flows = flows
        self.selected = 0
        """Index of the path shown hop by hop."""

    def compose(self) -> ComposeResult:
        with Vertical(id="flows-box"):
            yield Static("Paths and flows  (↑↓ choose a path, Esc closes)", id="flows-title")
            with VerticalScroll(id="flows-scroll"):
                yield Static(id="flows-body")

    def on_mount(self) -> None:
        self.refresh_flows()
        self.set_interval(REFRESH_SECONDS, self.refresh_flows)

    def refresh_flows(self) -> None:
        snapshot = self._flows()
        if snapshot is not None and snapshot.paths:
            self.selected = min(self.selected, len(snapshot.paths) - 1)
        self.query_one("#flows-body", Static).update(flows_view_text(snapshot, self.selected))

    def action_choose(self, delta: int) -> None:
        self.selected = max(0, self.selected + delta)
        self.refresh_flows()

    def action_close(self) -> None:
        self.dismiss(None)
