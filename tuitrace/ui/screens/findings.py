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
from tuitrace.stats.snapshot import TtlCheck
from tuitrace.ui.findings_look import SEVERITY_STYLES, SEVERITY_WORDS, marker

REFRESH_SECONDS = 1.0
NO_FINDINGS = "Nothing stands out: no loss, block, loop, middlebox or asymmetry in these numbers (yet)."


def _evidence(finding: Finding) -> str:
    return "  ".join(f"{item.name}={item.value}" for item in finding.evidence)


def check_line(check: TtlCheck) -> str:
    """The TTL check of a TCP trace, counted apart from the probes."""
    ttls = ", ".join(f"{ttl} ({count}x)" for ttl, count in check.echo_reply_ttls) or "none"
    answers = ", ".join(f"{ttl} ({count}x)" for ttl, count in check.answer_reply_ttls) or "none"
    return (f"TTL check: {check.echo_received} of {check.echo_sent} ICMP echo requests to the destination "
            f"answered, reply TTL {ttls}; TCP answers from its address: reply TTL {answers}")


def findings_text(findings: Sequence[Finding], check: TtlCheck | None = None) -> Text:
    """The list, most severe first; text only (never markup), so addresses cannot inject styles. A TCP
    trace's TTL check (``check``) comes last, apart."""
    text = Text()
    if check is not None:
        text.append(check_line(check), style="dim")
        text.append("\n\n")
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

    def __init__(self, source: Callable[[], Sequence[Finding]],
                 ttl_check: Callable[[], TtlCheck | None] = lambda: None) -> None:
        super().__init__()
        self._source = source
        self._check = ttl_check
        self._shown: tuple[tuple[Finding, ...], TtlCheck | None] | None = None
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
        findings, check = tuple(self._source()), self._check()
        if (findings, check) == self._shown:
            return
        self._shown = (findings, check)
        text = findings_text(findings, check)
        self.plain = text.plain
        self.query_one("#findings-body", Static).update(text)

    def action_close(self) -> None:
        self.dismiss(None)
