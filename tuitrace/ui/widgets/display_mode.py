"""The display modes ``d`` cycles through, in mtr's order: numbers first, then pictures of the history."""

from __future__ import annotations

import enum

from tuitrace.stats.snapshot import TraceSnapshot


class DisplayMode(enum.StrEnum):
    TABLE = "table"
    """The hop table with the chosen fields."""
    STRIP = "strip"
    """A history strip per hop, one cell per round (``history_strip``)."""
    CHART = "chart"
    """The selected hop's RTT over time (``rtt_chart``)."""

    @property
    def label(self) -> str:
        """How the screenshot's Markdown names the mode."""
        return {"table": "table", "strip": "history strip", "chart": "RTT chart"}[self.value]

    def next(self) -> DisplayMode:
        modes = list(DisplayMode)
        return modes[(modes.index(self) + 1) % len(modes)]


def next_chosen_ttl(snapshot: TraceSnapshot, chosen: int | None, delta: int, shown: int | None) -> int | None:
    """The hop ``↑`` (``delta`` -1) or ``↓`` (+1) chooses in the strip and the chart. With none chosen, it
    moves from ``shown`` (the hop the chart shows by itself), else takes the last hop (``↑``) or the first
    (``↓``); it stops at either end."""
    ttls = [hop.ttl for hop in snapshot.hops]
    if not ttls:
        return chosen
    if chosen not in ttls and shown in ttls:
        chosen = shown
    if chosen not in ttls:
        return ttls[-1] if delta < 0 else ttls[0]
    return ttls[min(max(0, ttls.index(chosen) + delta), len(ttls) - 1)]
