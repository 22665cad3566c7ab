"""The help screen, generated from the key table so it lists exactly the keys that work."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tuitrace.ui.keys import KEYS


def help_text() -> Text:
    text = Text()
    width = max(len(spec.shown) for spec in KEYS)
    for spec in KEYS:
        text.append(f"{spec.shown:>{width}}", style="bold")
        text.append(f"  {spec.help}\n")
    text.append("\nECMP: each responder of a TTL gets a line under the hop: share, replies (Snt), RTTs.\n"
                "???: a hop that did not answer; the trace goes on below it.\n"
                "F=<mtu> (--mtu): the path MTU drops to <mtu> at this hop.\n"
                "Settings and theme: ~/.config/tuitrace/config.toml (tuitrace --print-config).  Esc closes.",
                style="dim")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark,h", "close", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("tuitrace keys", id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(help_text(), id="help-body")

    def action_close(self) -> None:
        self.dismiss(None)
