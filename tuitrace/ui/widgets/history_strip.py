"""The history strip (display mode 2, ``d``): one line per hop, one cell per round, as mtr's strip chart.

Totals hide *when* a hop lost probes or slowed down; a strip per hop shows it at a glance and lines the
hops up round by round, so a loss that starts at hop 5 and goes on to the end is a column of a cross. Each
cell is a bar whose height and colour give the RTT on one scale for all hops (eight equal steps up to the
98th percentile of the RTTs in view, written out in the legend; a slower one, a spike, is a triangle, so
one spike does not flatten every other bar), a cross a lost probe. Height and glyph carry the level, so
it reads under ``NO_COLOR`` too. The newest round is at the right; ``[`` and ``]`` scroll back and forth
through the bounded history the engine keeps (``stats.hop.HISTORY``).

The lines are planned without Textual (``strip_lines``), so tests and the screenshot read what is drawn;
the widget turns them into segments, merging neighbouring cells of one style, and only on a change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuitrace.stats.snapshot import HopSnapshot, TraceSnapshot
from tuitrace.ui.format import SPARK_LEVELS, fit, fmt_ms, fmt_pct, loss_style
from tuitrace.ui.widgets.hop_rows import Lookup, View, primary

LOST = "\N{MULTIPLICATION SIGN}"
"""A lost probe: a glyph as well as a colour."""
SCALE_COLOURS = ("#2e9e4f", "#5cb03d", "#8fbf2f", "#c2c626", "#e0b020", "#e88a1f", "#e4582a", "#d42f2f")
"""Green (fast) to red (slow), one per bar height."""
LOST_STYLE = "bold #ff4040"
ABOVE = "\N{BLACK UP-POINTING TRIANGLE}"
"""An RTT above the top of the scale (a spike)."""
ABOVE_LEVEL = len(SPARK_LEVELS)
SCALE_QUANTILE = 0.98
PREFIX = 32
"""Cells before the strip: TTL (4), host, loss (7)."""
LEGEND_LINES = 2


@dataclass(frozen=True, slots=True)
class StripLine:
    """One hop: its label and the cells of the rounds in view, oldest first (``None`` not probed)."""

    ttl: int
    label: str
    loss: str
    loss_style: str
    cells: tuple[int | None, ...]
    """Level 0-7 of an answered probe, -1 a lost one, ``None`` no probe in that round."""


def scale_top(values: Sequence[float | None]) -> float:
    """The top of the scale: the 98th percentile (nearest rank) of the RTTs in view, for every hop alike,
    so bars compare across hops and one spike does not squash the rest."""
    answered = sorted(v for v in values if v is not None)
    if not answered:
        return 0.0
    return answered[max(1, math.ceil(SCALE_QUANTILE * len(answered))) - 1]


def level(value: float | None, top: float) -> int:
    """-1 for a lost probe, ``ABOVE_LEVEL`` above ``top``, else the bar (0-7) on eight equal steps to it."""
    if value is None:
        return -1
    if top <= 0:
        return 0
    if value > top:
        return ABOVE_LEVEL
    steps = len(SPARK_LEVELS)
    return min(steps - 1, max(0, int(value / top * steps - 1e-9)))


def glyph(cell: int) -> tuple[str, str]:
    """What a cell shows and in which style."""
    if cell < 0:
        return LOST, LOST_STYLE
    if cell == ABOVE_LEVEL:
        return ABOVE, "bold " + SCALE_COLOURS[-1]
    return SPARK_LEVELS[cell], SCALE_COLOURS[cell]


def legend(top: float) -> list[tuple[str, str]]:
    """``(text, style)`` pieces: each bar with the highest RTT it stands for, the spike and the lost mark."""
    steps = len(SPARK_LEVELS)
    pieces: list[tuple[str, str]] = []
    for i, bar in enumerate(SPARK_LEVELS):
        pieces += [(bar, SCALE_COLOURS[i]), (f"≤{fmt_ms(top * (i + 1) / steps) or '0'} ", "")]
    pieces += [("ms  ", ""), glyph(ABOVE_LEVEL), (" slower  ", ""), (LOST, LOST_STYLE), (" lost", "")]
    return pieces


def _label(hop: HopSnapshot, lookup: Lookup | None, view: View) -> str:
    top = primary(hop)
    if top is None:
        return "???" if hop.sent else "..."
    info = lookup(top.address) if lookup is not None and view.names else None
    name = info.hostname if info is not None and info.hostname else top.address
    more = f" +{len(hop.responders) - 1}" if len(hop.responders) > 1 else ""
    return name + more


def _window(history: Sequence[float | None], width: int, back: int) -> list[float | None]:
    end = len(history) - back
    return list(history)[max(0, end - width):max(0, end)]


def strip_cells(history: Sequence[float | None], width: int, back: int, top: float) -> tuple[int | None, ...]:
    """The ``width`` rounds ending ``back`` rounds before the newest, right-aligned: older rounds that the
    hop has no probe for (it was found later, or the history starts there) are ``None``."""
    shown = [level(v, top) for v in _window(history, width, back)]
    return (None,) * (width - len(shown)) + tuple(shown)


def strip_lines(snapshot: TraceSnapshot, width: int, back: int, lookup: Lookup | None = None,
                view: View | None = None) -> tuple[list[StripLine], float]:
    """One line per hop, each with the ``width`` rounds ending ``back`` rounds before the newest, and the
    top of their common scale."""
    view = view or View()
    top = scale_top([v for hop in snapshot.hops for v in _window(hop.history, width, back)])
    lines = []
    for hop in snapshot.hops:
        loss = fmt_pct(hop.loss_pct) if hop.sent else ""
        lines.append(StripLine(hop.ttl, _label(hop, lookup, view), loss, loss_style(hop.loss_pct),
                               strip_cells(hop.history, width, back, top)))
    return lines, top


def deepest_history(snapshot: TraceSnapshot) -> int:
    return max((len(hop.history) for hop in snapshot.hops), default=0)


class HistoryStrip(ScrollView, can_focus=False):
    """Draws :func:`strip_lines`: a title and legend on top, then one line per hop. Not focusable: ``↑``
    and ``↓`` stay the app's (they choose the hop), and the strip scrolls to keep that hop in view."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"history-strip--legend"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.back = 0
        """Rounds scrolled back from the newest (``[``, ``]``)."""
        self.lines: list[StripLine] = []
        self.top = 0.0
        self._depth = 0
        self.selected_ttl: int | None = None
        self._strips: dict[int, tuple[StripLine, bool, Strip]] = {}
        self._styles: dict[str, Style] = {}
        self._latest: tuple[TraceSnapshot, View, Lookup | None, int | None] | None = None

    @property
    def strip_width(self) -> int:
        return max(8, (self.size.width or self.app.size.width) - PREFIX - 1)

    def show(self, snapshot: TraceSnapshot, view: View, lookup: Lookup | None,
             selected_ttl: int | None) -> None:
        self._latest = (snapshot, view, lookup, selected_ttl)
        self._depth = deepest_history(snapshot)
        self.back = min(self.back, max(0, self._depth - self.strip_width))
        self.selected_ttl = selected_ttl
        self.lines, self.top = strip_lines(snapshot, self.strip_width, self.back, lookup, view)
        self.virtual_size = Size(self.size.width, LEGEND_LINES + len(self.lines))
        self._keep_in_view(selected_ttl)
        self.refresh()

    def _keep_in_view(self, ttl: int | None) -> None:
        index = next((i for i, line in enumerate(self.lines) if line.ttl == ttl), None)
        if index is None:
            return
        rows = max(1, self.size.height - LEGEND_LINES)
        top = int(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + rows:
            self.scroll_to(y=index - rows + 1, animate=False, immediate=True)

    def on_resize(self) -> None:
        self._strips = {}
        if self._latest is not None:
            self.show(*self._latest)

    def scroll_history(self, pages: int) -> None:
        """Back (``pages`` > 0) or forward through the history, half a strip at a time."""
        step = max(1, self.strip_width // 2)
        self.back = min(max(0, self.back + pages * step), max(0, self._depth - self.strip_width))

    def title(self) -> str:
        where = "newest at the right" if self.back == 0 else f"ending {self.back} rounds ago"
        return f"History, one cell per round, {where}   [ older  ] newer"

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.rich_style + Style.parse(name)
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y == 0:
            return Strip([Segment(fit(self.title(), width).ljust(width), base + Style(bold=True))], width)
        if y == 1:
            segments = [Segment(text, self._style(style)) for text, style in legend(self.top)]
            return Strip(segments).crop(0, width).extend_cell_length(width, base)
        index = y - LEGEND_LINES + int(self.scroll_offset.y)
        if index >= len(self.lines):
            return Strip.blank(width, base)
        line = self.lines[index]
        selected = line.ttl == self.selected_ttl
        cached = self._strips.get(line.ttl)
        if cached is not None and cached[0] == line and cached[1] == selected:
            return cached[2]
        strip = self._draw(line, selected, width)
        self._strips[line.ttl] = (line, selected, strip)
        return strip

    def _draw(self, line: StripLine, selected: bool, width: int) -> Strip:
        host_room = PREFIX - 4 - 7
        head = f"{line.ttl:>3}." + " " + fit(line.label, host_room - 1).ljust(host_room - 1)
        segments = [Segment(head, self._style("reverse bold" if selected else "bold")),
                    Segment(line.loss.rjust(7), self._style(line.loss_style)), Segment(" ", self.rich_style)]
        run: list[str] = []
        run_style = ""
        for cell in line.cells:
            shown, style = (" ", "") if cell is None else glyph(cell)
            if style != run_style and run:
                segments.append(Segment("".join(run), self._style(run_style)))
                run = []
            run_style = style
            run.append(shown)
        if run:
            segments.append(Segment("".join(run), self._style(run_style)))
        return Strip(segments).crop(0, width).extend_cell_length(width, self.rich_style)

    def plain_lines(self) -> list[str]:
        """What the strip shows, as text (for tests and the screenshot's Markdown)."""
        out = [self.title(), "".join(text for text, _ in legend(self.top))]
        for line in self.lines:
            cells = "".join(" " if c is None else glyph(c)[0] for c in line.cells)
            out.append(f"{line.ttl:>3}. {line.label} {line.loss} {cells}")
        return out
