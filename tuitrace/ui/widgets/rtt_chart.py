"""The RTT chart (display mode 3, ``d``): the selected hop's RTT over time, drawn in braille dots.

A table says a hop's average is 40 ms; the chart shows whether that is a steady 40 or 10 with spikes to
300, and when the spikes came. Braille characters give each terminal cell 2 x 4 dots, so 80 columns hold
about 140 probes at four times the vertical resolution of a bar; no plotting library is needed for one
line of points (and none is imported at start-up). The y axis runs from the lowest to the highest RTT in
view; the hop's best, average and worst over the whole session are written above the chart, the average
is a dotted line across it, and a row under the chart marks each lost probe with a cross under its column.

``chart_lines`` plans the picture without Textual (tests read it as text); the widget only shows it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from tuitrace.stats.snapshot import HopSnapshot, TraceSnapshot
from tuitrace.ui.format import fit, fmt_ms
from tuitrace.ui.widgets.hop_rows import Lookup, primary

BRAILLE = 0x2800
_DOT = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
"""Bit of the dot in braille column 0/1, row 0-3 from the top."""
GUTTER = 9
"""Cells of the y axis labels."""
LOST = "\N{MULTIPLICATION SIGN}"
AVG_MARK = "┈"
LINE_STYLE = "bold #4fa3e0"


def _title(hop: HopSnapshot, lookup: Lookup | None) -> str:
    top = primary(hop)
    who = "no reply yet" if top is None else top.address
    if top is not None and lookup is not None:
        info = lookup(top.address)
        if info is not None and info.hostname:
            who = f"{info.hostname} ({top.address})"
    rtt = hop.rtt
    stats = (f"best {fmt_ms(rtt.best_ms) or '-'}  avg {fmt_ms(rtt.avg_ms) or '-'}  "
             f"worst {fmt_ms(rtt.worst_ms) or '-'} ms")
    return f"RTT of hop {hop.ttl}  {who}   {stats}  loss {hop.sent - hop.received}/{hop.sent}"


def _row_of(value: float, low: float, high: float, dots: int) -> int:
    """Dot row (0 at the top) of ``value`` on an axis from ``low`` (bottom) to ``high`` (top)."""
    if high <= low:
        return dots - 1
    return min(dots - 1, max(0, round((high - value) / (high - low) * (dots - 1))))


def chart_lines(hop: HopSnapshot, width: int, height: int,
                lookup: Lookup | None = None) -> list[list[tuple[str, str]]]:
    """The chart of ``hop`` in ``width`` x ``height`` cells as lines of ``(text, style)`` pieces: a title,
    ``height - 3`` braille rows with the axis on the left, the loss row, and the time axis."""
    plot_width = max(4, width - GUTTER - 1)
    rows = max(2, height - 3)
    samples: Sequence[float | None] = list(hop.history)[-2 * plot_width:]
    values = [v for v in samples if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 1e-3:
        low, high = max(0.0, low - 0.5), high + 0.5
    dots_high = rows * 4
    grid = [[0] * plot_width for _ in range(rows)]
    previous: int | None = None
    for i, value in enumerate(samples):
        if value is None:
            previous = None
            continue
        y = _row_of(value, low, high, dots_high)
        column, half = divmod(i, 2)
        start, stop = (y, y) if previous is None else (min(previous, y), max(previous, y))
        for dot in range(start, stop + 1):  # join to the previous point, so a spike reads as a line
            grid[dot // 4][column] |= _DOT[half][dot % 4]
        previous = y
    avg = hop.rtt.avg_ms
    avg_row = _row_of(avg, low, high, dots_high) // 4 if avg is not None and low <= avg <= high else None
    lines: list[list[tuple[str, str]]] = [[(fit(_title(hop, lookup), width), "bold")]]
    for r in range(rows):
        if r == 0:
            label = fmt_ms(high)
        elif r == rows - 1:
            label = fmt_ms(low)
        elif r == avg_row:
            label = "avg " + fmt_ms(avg)
        else:
            label = ""
        pieces: list[tuple[str, str]] = [(fit(label, GUTTER - 1).rjust(GUTTER - 1) + "┤", "dim")]
        blank = AVG_MARK if r == avg_row else " "
        for cell in grid[r]:
            glyph, style = (chr(BRAILLE + cell), LINE_STYLE) if cell else (blank, "dim")
            if pieces[-1][1] == style:  # one piece per run of a style: a span per cell costs 100x to draw
                pieces[-1] = (pieces[-1][0] + glyph, style)
            else:
                pieces.append((glyph, style))
        lines.append(pieces)
    columns = math.ceil(len(samples) / 2)
    marks = "".join(LOST if None in samples[2 * c:2 * c + 2] else " " for c in range(columns))
    lines.append([("lost".rjust(GUTTER - 1) + "┤", "dim"), (marks, "bold red")])
    span = f"└ {len(samples)} probes, oldest at the left, newest at the right"
    lines.append([(" " * (GUTTER - 1) + fit(span, plot_width + 1), "dim")])
    return lines


class RttChart(Widget):
    """Shows :func:`chart_lines` for one hop of the latest snapshot (the selected one, else the last)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[list[tuple[str, str]]] = []
        self._latest: tuple[TraceSnapshot, Lookup | None, int | None] | None = None
        self._styles: dict[str, Style] = {}

    def show(self, snapshot: TraceSnapshot, lookup: Lookup | None, selected_ttl: int | None) -> None:
        self._latest = (snapshot, lookup, selected_ttl)
        hop = chosen_hop(snapshot, selected_ttl)
        width, height = self.size.width or self.app.size.width, self.size.height or 10
        lines = [[("No hop to chart yet: wait for the first replies", "dim")]] if hop is None else \
            chart_lines(hop, width, height, lookup)
        if lines != self.lines:
            self.lines = lines
            self.refresh()

    def on_resize(self) -> None:
        self._styles = {}
        if self._latest is not None:
            self.show(*self._latest)

    def render_line(self, y: int) -> Strip:
        """Line API: segments straight from the planned pieces (a ``Text`` of the whole chart went through
        Textual's content layer on every line drawn, some 100 times slower)."""
        width = self.size.width
        base = self.rich_style
        if y >= len(self.lines):
            return Strip.blank(width, base)
        styles = self._styles
        segments = []
        for text, name in self.lines[y]:
            style = styles.get(name)
            if style is None:
                style = styles[name] = base + Style.parse(name)
            segments.append(Segment(text, style))
        return Strip(segments).crop(0, width).extend_cell_length(width, base)

    def plain_lines(self) -> list[str]:
        return ["".join(text for text, _ in pieces) for pieces in self.lines]


def chosen_hop(snapshot: TraceSnapshot, selected_ttl: int | None) -> HopSnapshot | None:
    """The hop with ``selected_ttl``, else the last hop that answered (the destination when reached)."""
    for hop in snapshot.hops:
        if hop.ttl == selected_ttl:
            return hop
    answered = [hop for hop in snapshot.hops if hop.received]
    return answered[-1] if answered else (snapshot.hops[-1] if snapshot.hops else None)

