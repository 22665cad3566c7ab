"""The list of every finding (key ``F``): what the header's findings line only begins to say.

Each finding shows its severity word, marker, hop and responder, its sentence, and the numbers it rests
on, so the list can be pasted into a ticket as it stands. It follows the live trace while it is open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tuitrace.diagnose.finding import Finding
from tuitrace.ui.findings_look import SEVERITY_STYLES, SEVERITY_WORDS, marker

REFRESH_SECONDS = 1.0
NO_FINDINGS = "Nothing stands out: no loss, block, loop, middlebox or asymmetry in these numbers (yet)."


def _evidence(finding: Finding) -> str:
    return "  ".join(f"{item.name}={item.value}" for item in finding.evidence)


def findings_text(findings: Sequence[Finding]) -> Text:
    """The list, most severe first; text only (never markup), so addresses cannot inject styles."""
    text = Text()
    if not findings:
        text.append(NO_FINDINGS, style="dim")
        return text
    for i, finding in enumerate(findings):
        if i:
            text.append("\n\n")
        where = [f"hop {finding.ttl}"] if finding.ttl is not None else []
        where += [finding.address] if finding.address else []
        text.append(f"{SEVERITY_WORDS[finding.severity]} {marker(finding.kind)}",
                    style=SEVERITY_STYLES[finding.severity])
        text.append(f" {finding.kind.value}")
        if where:
            text.append(f" ({', '.join(where)})", style="bold")
        text.append(f"\n  {finding.text}\n")
        text.append(f"  {_evidence(finding)}", style="dim")
    return text


class FindingsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,F", "close", "Close", show=False),
    ]

    def __init__(self, source: Callable[[], Sequence[Finding]]) -> None:
        super().__init__()
        self._source = source
        self._shown: tuple[Finding, ...] | None = None
        self.plain = ""
        """The list as plain text (what a reader of the screen sees)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="findings-box"):
            yield Static("Findings, most severe first", id="findings-title")
            with VerticalScroll(id="findings-scroll"):
                yield Static("", id="findings-body")
            yield Static("↑ ↓ scroll   Esc closes", id="findings-hint")

    def on_mount(self) -> None:
        self.update_view()
        self.set_interval(REFRESH_SECONDS, self.update_view)
        self.query_one(VerticalScroll).focus()

    def update_view(self) -> None:
        findings = tuple(self._source())
        if findings == self._shown:
            return
        self._shown = findings
        text = findings_text(findings)
        self.plain = text.plain
        self.query_one("#findings-body", Static).update(text)

    def action_close(self) -> None:
        self.dismiss(None)
