"""The display modes ``d`` cycles through, in mtr's order: numbers first, then pictures of the history."""

from __future__ import annotations

import enum


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
