"""The lines above the table: what is traced, with which settings, and whether it is working.

During an incident the first question is "is this still running, and what am I looking at": the header
answers it without a key press (target, protocol/port, sendwait, interval, mode, rounds, elapsed, state).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from tuitrace.diagnose.finding import Finding
from tuitrace.diagnose.middlebox import middlebox_hop
from tuitrace.stats.snapshot import RunState, TraceSnapshot
from tuitrace.ui.findings_look import SEVERITY_STYLES, headline
from tuitrace.ui.format import fmt_duration, fmt_seconds


def state_text(snapshot: TraceSnapshot, findings: Sequence[Finding] = ()) -> str:
    """``running`` / ``paused`` / ``finished``, and how far the destination is (or that it is not yet, or
    that a middlebox answers in its name, from the ``findings``)."""
    middlebox = middlebox_hop(findings) if snapshot.reached else None
    reach = (f"answered by a middlebox near hop {middlebox}, not by the destination" if middlebox is not None
             else f"destination reached at hop {snapshot.path_length}"
             if snapshot.reached and snapshot.path_length is not None
             else "destination reached" if snapshot.reached else "destination not reached yet")
    return f"{snapshot.state.value}, {reach}"


def header_text(snapshot: TraceSnapshot, mode_label: str = "", problem: str = "", news: str = "",
                findings: Sequence[Finding] = ()) -> Text:
    """The header; ``problem`` (the engine stopped on an error) replaces the state when set; ``news`` (a
    fresh event) is one more line, and so is the most severe of the ``findings`` (sorted, most severe
    first) when there are any."""
    text = Text(no_wrap=False)
    name = snapshot.host if snapshot.host and snapshot.host != snapshot.target else ""
    text.append(f"{name} ({snapshot.target})" if name else snapshot.target, style="bold")
    text.append("  ")
    text.append(snapshot.setting.label, style="bold reverse")
    text.append(f"  sendwait {fmt_seconds(snapshot.sendwait)}  interval {fmt_seconds(snapshot.interval)}"
                f"  mode {mode_label or snapshot.mode.value}\n")
    state_style = "bold reverse" if snapshot.state is RunState.PAUSED else "bold"
    text.append(f"round {snapshot.rounds}  elapsed {fmt_duration(snapshot.elapsed)}  ")
    if problem:
        text.append(f"probing stopped: {problem}", style="bold reverse")
    else:
        text.append(state_text(snapshot, findings), style=state_style)
    settings = snapshot.settings or (snapshot.setting,)
    text.append("\nsettings:")
    for setting in settings:
        active = setting == snapshot.setting
        text.append(" ")
        text.append(f"[{setting.label}]" if active else setting.label, style="bold" if active else "dim")
    if findings:
        text.append("\nfinding: ", style="bold")
        text.append(headline(findings), style=SEVERITY_STYLES[findings[0].severity])
    if news:
        text.append("\nevent: ", style="bold")
        text.append(news, style="bold reverse")
    return text


class TraceHeader(Static):
    """Shows :func:`header_text` for the latest snapshot."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.plain = ""
        """The text currently shown, without styles (what a reader of the screen sees)."""

    def show(self, snapshot: TraceSnapshot, mode_label: str = "", problem: str = "", news: str = "",
             findings: Sequence[Finding] = ()) -> None:
        text = header_text(snapshot, mode_label, problem, news, findings)
        if text.plain != self.plain:
            self.plain = text.plain
            self.update(text, layout=False)
            self._relayout_if_height_changed()

    def _relayout_if_height_changed(self) -> None:
        """Lay the screen out again only when the header needs more or fewer lines.

        The text changes every round (round count, elapsed time); a layout redraws every widget on the
        screen, so it is asked for only when the height changes (a wrapped line at a narrow width).
        """
        width, height = self.size
        if not width or self.get_content_height(self.size, self.size, width) != height:
            self.refresh(layout=True)
