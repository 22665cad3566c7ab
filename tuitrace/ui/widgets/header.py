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


Item = tuple[str, str]
"""A piece of the header that is never split over two lines (``sendwait 0``), with its style."""


def _lay_out(text: Text, items: list[Item], width: int | None, gap: str = "  ") -> None:
    """Append ``items`` separated by ``gap``, starting a new line *between* items when the next one would
    not fit in ``width`` cells: a label never parts from its value, and every line ends with a whole item
    (the terminal's own wrapping cut "sendwait | 0" and, read back, ran "UDP 33434+n" into "sendwait")."""
    used = 0
    for n, (piece, style) in enumerate(items):
        if n and width is not None and used + len(gap) + len(piece) > width:
            text.append("\n")
            used = 0
        elif n:
            text.append(gap)
            used += len(gap)
        text.append(piece, style=style)
        used += len(piece)


def header_text(snapshot: TraceSnapshot, mode_label: str = "", problem: str = "", news: str = "",
                findings: Sequence[Finding] = (), *, hidden: str = "", width: int | None = None) -> Text:
    """The header, laid out for ``width`` cells (``None``: one line per topic); ``problem`` (the engine
    stopped on an error) replaces the state when set, as does the link of a trace that runs elsewhere and is
    not connected now; ``news`` (a fresh event) is one more line, and so
    is the most severe of the ``findings`` (sorted, most severe first) when there are any; ``hidden``
    (what privacy hides) one more too."""
    text = Text(no_wrap=False)
    name = snapshot.host if snapshot.host and snapshot.host != snapshot.target else ""
    _lay_out(text, [
        (f"{name} ({snapshot.target})" if name else snapshot.target, "bold"),
        (snapshot.setting.label, "bold reverse"),
        (f"sendwait {fmt_seconds(snapshot.sendwait)}", ""),
        (f"interval {fmt_seconds(snapshot.interval)}", ""),
        (f"mode {mode_label or snapshot.mode.value}", ""),
    ], width)
    text.append("\n")
    state_style = "bold reverse" if snapshot.state is RunState.PAUSED else "bold"
    state = ((f"probing stopped: {problem}", "bold reverse") if problem
             else (snapshot.link, "bold reverse") if snapshot.link
             else (state_text(snapshot, findings), state_style))
    elapsed = f"elapsed {fmt_duration(snapshot.elapsed)}"
    _lay_out(text, [(f"round {snapshot.rounds}", ""), (elapsed, ""), state], width)
    settings = snapshot.settings or (snapshot.setting,)
    text.append("\n")
    items: list[Item] = [("settings:", "")]
    for setting in settings:
        active = setting == snapshot.setting
        items.append((f"[{setting.label}]" if active else setting.label, "bold" if active else "dim"))
    _lay_out(text, items, width, gap=" ")
    if findings:
        text.append("\nfinding: ", style="bold")
        text.append(headline(findings), style=SEVERITY_STYLES[findings[0].severity])
    if hidden:
        text.append("\nhidden: ", style="bold")
        text.append(hidden)
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
        self._latest: tuple[TraceSnapshot, str, str, str, Sequence[Finding], str] | None = None

    def on_resize(self) -> None:
        """Lay the items out again for the new width."""
        if self._latest is not None:
            snapshot, mode_label, problem, news, findings, hidden = self._latest
            self.show(snapshot, mode_label, problem, news, findings, hidden=hidden)

    def show(self, snapshot: TraceSnapshot, mode_label: str = "", problem: str = "", news: str = "",
             findings: Sequence[Finding] = (), *, hidden: str = "") -> None:
        self._latest = (snapshot, mode_label, problem, news, findings, hidden)
        width = self.content_size.width or max(1, self.app.size.width - 2)
        text = header_text(snapshot, mode_label, problem, news, findings, hidden=hidden, width=width)
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
