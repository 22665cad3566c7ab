"""The flows view (key ``f``): the distinct paths of ``--flows N`` with per-branch loss and RTT, refreshed
while it is open. ↑/↓ choose the path shown hop by hop (before the scroll area would take them); Enter
narrows the main table to that path (:mod:`tuitrace.ui.path_filter`), ``a`` shows every path again; Esc or
``f`` closes."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.ui.path_filter import CLEAR_KEY
from tuitrace.ui.widgets.flow_view import flows_view_text

REFRESH_SECONDS = 1.0
EVERY_PATH = 0
"""What the screen returns for "show every path again" (``None``: change nothing; n: only path n)."""


class FlowsScreen(ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape,f,q", "close", "Close", show=False),
        Binding("up", "choose(-1)", "Path above", show=False, priority=True),
        Binding("down", "choose(1)", "Path below", show=False, priority=True),
        Binding("enter", "only_this", "Only this path in the table", show=False, priority=True),
        Binding(CLEAR_KEY, "every_path", "Every path in the table", show=False),
    ]

    def __init__(self, flows: Callable[[], FlowsSnapshot | None], filtered: int | None = None) -> None:
        super().__init__()
        self._flows = flows
        self.selected = 0
        """Index of the path shown hop by hop."""
        self._filtered = filtered
        """The path the main table is narrowed to, if any: the view starts on it."""
        if filtered is not None:
            snapshot = flows()
            numbers = [path.path for path in snapshot.paths] if snapshot is not None else []
            self.selected = numbers.index(filtered) if filtered in numbers else 0

    def compose(self) -> ComposeResult:
        with Vertical(id="flows-box"):
            yield Static(f"Paths and flows  (↑↓ choose a path, Enter: only it in the table, {CLEAR_KEY}: "
                         "every path, Esc closes)", id="flows-title")
            with VerticalScroll(id="flows-scroll"):
                yield Static(id="flows-body")

    def on_mount(self) -> None:
        self.refresh_flows()
        self.set_interval(REFRESH_SECONDS, self.refresh_flows)

    def refresh_flows(self) -> None:
        snapshot = self._flows()
        if snapshot is not None and snapshot.paths:
            self.selected = min(self.selected, len(snapshot.paths) - 1)
        self.query_one("#flows-body", Static).update(flows_view_text(snapshot, self.selected, self._filtered))

    def action_choose(self, delta: int) -> None:
        self.selected = max(0, self.selected + delta)
        self.refresh_flows()

    def action_only_this(self) -> None:
        snapshot = self._flows()
        if snapshot is None or not snapshot.paths:
            self.notify("No path yet: wait for answers", timeout=4)
            return
        self.dismiss(snapshot.paths[min(self.selected, len(snapshot.paths) - 1)].path)

    def action_every_path(self) -> None:
        self.dismiss(EVERY_PATH)

    def action_close(self) -> None:
        self.dismiss(None)
