"""The event log on screen: the story of the trace, newest first, under the table (key ``l``).

Hidden until asked for, so the table keeps the whole window by default; the header shows the newest event
for a few seconds anyway (:func:`news_line`), so a route change is noticed without opening the pane.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from tuitrace.timeline.events import Event

SHOWN_EVENTS = 100
"""Newest events the pane lists (the reports have them all)."""


def event_line(event: Event) -> str:
    """``14:02:11.204  +72.4 s  loss_burst     hop 5  12 probes in a row ...``"""
    clock = event.time[11:23]
    hop = f"hop {event.ttl}" if event.ttl is not None else ""
    return f"{clock}  +{event.t_s:.1f} s  {event.kind.value:<14} {hop:<7} {event.text}"


def news_line(event: Event) -> str:
    """The header's line for a fresh event."""
    hop = f" hop {event.ttl}" if event.ttl is not None else ""
    return f"{event.kind.value}{hop}: {event.text}"


def pane_text(events: Sequence[Event]) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"Events ({len(events)}), newest first; l hides\n", style="bold")
    if not events:
        text.append("nothing has happened yet", style="dim")
    newest = list(events[-SHOWN_EVENTS:])
    newest.reverse()
    text.append("\n".join(event_line(event) for event in newest))
    return text


class EventPane(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._shown: tuple[int, Event | None] | None = None
        self.plain = ""
        """The text currently shown, without styles."""

    def show(self, events: Sequence[Event]) -> None:
        key = (len(events), events[-1] if events else None)
        if key == self._shown:
            return
        self._shown = key
        text = pane_text(events)
        self.plain = text.plain
        self.update(text)
