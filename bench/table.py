"""The benchmark's result table: one row per figure and peer, printed as fixed-width text (Markdown-able)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HEADER = ("figure", "tuitrace", "peer", "ratio", "goal", "met?")


@dataclass(frozen=True, slots=True)
class Row:
    figure: str
    tuitrace: str
    peer: str = "-"
    ratio: str = "-"
    goal: str = "report"
    met: str = "-"

    def cells(self) -> tuple[str, str, str, str, str, str]:
        return (self.figure, self.tuitrace, self.peer, self.ratio, self.goal, self.met)


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}x" if theirs > 0 else "-"


def yes(condition: bool) -> str:
    return "yes" if condition else "NO"


def render(rows: Sequence[Row]) -> str:
    """A Markdown table (pipes line up, so it reads the same in a terminal)."""
    lines = [HEADER, *(row.cells() for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]

    def fmt(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)) + " |"

    out = [fmt(HEADER), "|" + "|".join("-" * (width + 2) for width in widths) + "|"]
    out += [fmt(row.cells()) for row in rows]
    return "\n".join(out)
