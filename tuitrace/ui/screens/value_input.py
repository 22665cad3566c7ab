"""A small dialog that asks for one value (port, sendwait, interval) and checks it before applying.

The parser decides what is valid and words the error; the dialog stays open until the value parses or
the user presses Esc, so a typo never reaches the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

T = TypeVar("T")


class ValueInputScreen(ModalScreen[tuple[T] | None], Generic[T]):
    """Dismisses with ``(value,)`` when the input parses, ``None`` on Esc."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, title: str, hint: str, parser: Callable[[str], T], initial: str = "") -> None:
        super().__init__()
        self._title = title
        self._hint = hint
        self._parser = parser
        self._initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(id="ask-box"):
            yield Static(self._title, id="ask-title")
            yield Input(value=self._initial, id="ask-input")
            yield Static(f"{self._hint}  (Enter applies, Esc cancels)", id="ask-hint")
            yield Static("", id="ask-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            value = self._parser(event.value)
        except ValueError as error:
            self.query_one("#ask-error", Static).update(f"✗ {error}")
            return
        self.dismiss((value,))

    def action_cancel(self) -> None:
        self.dismiss(None)
