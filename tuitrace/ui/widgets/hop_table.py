"""The hop table: a line-API widget that draws only the rows on screen.

The table is refreshed several times a second while the user may be pressing keys, and a long ECMP path
has hundreds of rows whose RTT cells all change every round. Textual's ``DataTable`` pays for every changed
cell (a refresh per ``update_cell``) and then re-renders every visible cell through Rich. Here a refresh
only swaps the plain rows (``hop_rows``), redraws the screen lines whose row changed, and turns a row into
segments when it is drawn, once, so rows scrolled out of view cost nothing until they come back. The look
(header, colours, scrolling keys) is the one the table had as a ``DataTable``. Checked again with Textual
8.2 on bench/ui_cost.py's path (30 hops x 8 responders, every RTT changed): a ``DataTable`` fed the same
rows cell by cell took about 30 times as long to take an update and 7 times as long to draw it.

A row cursor (as in trippy) picks the hop or responder whose details ``Enter`` opens. It is hidden until
the user moves it, so the table looks like mtr's until then; it stays on its row (by key) while the
numbers change, and the page and end keys scroll as before while no row is selected.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.ui.widgets.hop_columns import Column, as_column_wanted, plan_columns
from tuitrace.ui.widgets.hop_rows import (
    HopMarks,
    HopRowMemo,
    Lookup,
    Row,
    View,
    hop_key,
    parse_hop_key,
    plan_rows,
)
from tuitrace.ui.widgets.row_memo import LazyRow

HEADER = "hop-table--header"
CURSOR = "hop-table--cursor"


def _label(column: Column) -> str:
    room = column.width - 1
    return column.label.rjust(column.width) if column.right else " " + column.label.ljust(room)


def _fixed(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells (rows are padded already; this guards wide characters)."""
    return text if len(text) == width and cell_len(text) == width else set_cell_size(text, width)


class HopTable(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar[set[str]] = {HEADER, CURSOR}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_left_edge", "Leftmost column", show=False),
        Binding("end", "scroll_right_edge", "Rightmost column", show=False),
        Binding("ctrl+home", "first_row", "Top", show=False),
        Binding("ctrl+end", "last_row", "Bottom", show=False),
        Binding("up", "move_cursor(-1)", "Select the row above", show=False),
        Binding("down", "move_cursor(1)", "Select the row below", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("escape", "clear_cursor", "No selection", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._columns: tuple[Column, ...] = ()
        self._rows: list[LazyRow[Row]] = []
        self._memo: HopRowMemo = HopRowMemo()
        self._as_column = False
        self._latest: tuple[TraceSnapshot, View, Lookup | None, bool | None, HopMarks | None] | None = None
        self._strips: dict[str, tuple[Row, Strip]] = {}
        """Each row as last drawn (with ``_drawn_with``), by key; redrawn when its text changes."""
        self._header: Strip | None = None
        self._drawn_with: tuple[Style, Style, Style, int] | None = None
        self._styles: dict[tuple[str, int, bool], Style] = {}
        self._cursor: int | None = None
        """Index of the selected row; ``None`` until the user selects one."""
        self._cursor_key: str | None = None
        self._extends: dict[Style, Style] = {}
        self.cells_updated = 0
        """Cells changed in place on screen since the table was built (how little each refresh touches)."""
        self.rebuilds = 0

    @property
    def rows_shown(self) -> tuple[Row, ...]:
        """The rows of the table, in order, as plain text (for screenshots and tests)."""
        return tuple(lazy.row for lazy in self._rows)

    @property
    def columns_shown(self) -> tuple[Column, ...]:
        return self._columns

    @property
    def selected_key(self) -> str | None:
        """The key of the selected row (``hop-4``, ``hop-2-10.0.2.1``), or ``None``."""
        return self._cursor_key

    @property
    def as_column(self) -> bool:
        """Whether the AS / place column is wanted now (by ``z``, or because it fits)."""
        return self._as_column

    def show(
        self, snapshot: TraceSnapshot, view: View, lookup: Lookup | None, as_fillable: bool | None = None,
        marks: HopMarks | None = None,
    ) -> None:
        """``as_fillable``: whether anything can fill the AS / place column (AS lookups on, or a GeoIP file
        open); by default, whether there is a ``lookup`` at all. ``marks``: the findings' row markers."""
        self._latest = (snapshot, view, lookup, as_fillable, marks)
        width = self.size.width or self.app.size.width
        fillable = lookup is not None if as_fillable is None else as_fillable
        fields = view.shown_fields
        self._as_column = as_column_wanted(view.show_as, width, lookups=fillable, fields=fields)
        columns = plan_columns(width, self._as_column, fields, show_back=view.show_back)
        if columns != self._columns:
            self._set_columns(columns)
        self._apply(plan_rows(snapshot, columns, view, lookup, self._memo, marks=marks))

    def on_resize(self, event: events.Resize) -> None:
        if self._latest is not None:
            self.show(*self._latest)

    def _set_columns(self, columns: tuple[Column, ...]) -> None:
        self._columns = columns
        self._header = None
        self._replace([], to_top=True)

    def _replace(self, rows: list[LazyRow[Row]], *, to_top: bool) -> None:
        """Take ``rows`` and redraw everything; ``to_top`` when they are a different table (a rebuild
        starts at the top left, where a new protocol's or view's first hops are)."""
        if to_top:
            self.scroll_x = self.scroll_y = 0
            self.scroll_target_x = self.scroll_target_y = 0
        self._rows = rows
        self._strips = {}
        self.virtual_size = Size(sum(c.width for c in self._columns), 1 + len(rows))
        self._follow_cursor()
        self.refresh()

    def _apply(self, rows: list[LazyRow[Row]]) -> None:
        """Take the new rows; redraw the lines on screen whose text changed, and only those."""
        old = self._rows
        if len(rows) < len(old) or any(new.key != before.key for new, before in zip(rows, old, strict=False)):
            self.rebuilds += 1
            self._replace(rows, to_top=True)
            return
        if len(rows) > len(old):
            self._replace(rows, to_top=False)
            return
        self._rows = rows
        top = int(self.scroll_offset.y)
        changed = [i for i in range(top, min(len(rows), top + self.size.height - 1))
                   if self._changed(rows[i], old[i])]
        if changed:
            first, last = changed[0], changed[-1]
            self.refresh(Region(0, 1 + first - top, self.size.width, last - first + 1))

    def _changed(self, new: LazyRow[Row], before: LazyRow[Row]) -> bool:
        if new is before:
            return False
        shown = before.formatted
        if shown is None:
            return True
        row = new.row
        if row == shown:
            return False
        self.cells_updated += sum(a != b for a, b in zip(row.cells, shown.cells, strict=True))
        return True

    # -- drawing ----------------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        base = self.rich_style
        header = self.get_component_rich_style(HEADER)
        cursor = self.get_component_rich_style(CURSOR)
        drawn_with = (base, header, cursor, self.size.width)
        if drawn_with != self._drawn_with:
            self._drawn_with = drawn_with
            self._strips = {}
            self._header = None
            self._styles = {}
            self._extends = {}
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        assert self._drawn_with is not None
        base, header, cursor, width = self._drawn_with
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            strip = self._header if self._header is not None else self._draw_header(header, width)
        else:
            index = y - 1 + scroll_y
            if index >= len(self._rows):
                return Strip.blank(width, base)
            row = self._rows[index].row
            cached = self._strips.get(row.key)
            if index == self._cursor:
                strip = self._draw_row(row, base + cursor, width, selected=True)
            elif cached is not None and (cached[0] is row or cached[0] == row):
                strip = cached[1]
            else:
                strip = self._draw_row(row, base, width)
        return strip.crop(scroll_x, scroll_x + width)

    def _style(self, base: Style, name: str, column: int, selected: bool) -> Style:
        """``base`` with the cell's style, marked with its column (as a ``DataTable`` marks its cells).

        The mark keeps neighbouring cells of the same style separate segments, so the screen is written,
        and screenshots come out, exactly as before.
        """
        style = self._styles.get((name, column, selected))
        if style is None:
            cell = Style.parse(name)
            if selected:  # the cursor's colours win over a cell's, its dim sub-rows included
                cell = Style(bold=cell.bold, italic=cell.italic)
            style = base + cell + Style.from_meta({"column": column})
            self._styles[name, column, selected] = style
        return style

    def _draw_header(self, header: Style, width: int) -> Strip:
        bold = header + Style(bold=True)
        segments = [Segment(_fixed(_label(c), c.width), bold + Style.from_meta({"column": i}))
                    for i, c in enumerate(self._columns)]
        self._header = self._finish(segments, header, width)
        return self._header

    def _draw_row(self, row: Row, base: Style, width: int, *, selected: bool = False) -> Strip:
        segments = [Segment(_fixed(cell.text, column.width), self._style(base, cell.style, i, selected))
                    for i, (column, cell) in enumerate(zip(self._columns, row.cells, strict=True))]
        strip = self._finish(segments, base, width)
        if not selected:
            self._strips[row.key] = (row, strip)
        return strip

    def _finish(self, segments: list[Segment], line: Style, width: int) -> Strip:
        """One screen line: the cells, then blank to the right edge in the line's colours, faded a little
        towards the table's background (as a ``DataTable`` draws it)."""
        used = sum(c.width for c in self._columns)
        extend = self._extends.get(line)
        if extend is None:
            background = line.bgcolor
            if background is not None:
                faded = Color.from_rich_color(background).blend(self.background_colors[1], factor=0.25)
                background = faded.rich_color
            extend = Style.from_color(line.color, background) + Style.from_meta({"out_of_bounds": True})
            self._extends[line] = extend
        segments.append(Segment(" " * max(0, width - used), extend))
        return Strip(segments, max(width, used))

    # -- scrolling keys (as the DataTable had them), without animation ---------------------------------
    # A scroll takes effect at once, as in mtr: an animated one redraws the table on every frame for a
    # second, and anything that reads the screen meanwhile (a user's eye, a test) sees it half-way.

    def action_scroll_left_edge(self) -> None:
        self.scroll_to(x=0, animate=False)

    def action_scroll_right_edge(self) -> None:
        self.scroll_to(x=self.max_scroll_x, animate=False)

    def action_scroll_home(self) -> None:
        self.scroll_to(x=0 if self.scroll_y == 0 else None, y=0, animate=False, immediate=True)

    def action_scroll_end(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def action_page_up(self) -> None:
        self.scroll_to(y=self.scroll_y - self._visible_rows, animate=False, immediate=True)

    def action_page_down(self) -> None:
        self.scroll_to(y=self.scroll_y + self._visible_rows, animate=False, immediate=True)

    # -- the row cursor -----------------------------------------------------------------------------

    @property
    def _visible_rows(self) -> int:
        return max(1, self.size.height - 1)

    def select(self, index: int | None) -> None:
        """Put the cursor on row ``index`` (clamped) and scroll it into view; ``None`` hides it."""
        if index is None or not self._rows:
            self._cursor = self._cursor_key = None
        else:
            self._cursor = min(max(0, index), len(self._rows) - 1)
            self._cursor_key = self._rows[self._cursor].key
            self._scroll_to_cursor()
        self.refresh()

    def select_first_visible(self) -> None:
        """Select the top row on screen unless a row is selected already."""
        if self._cursor is None:
            self.select(int(self.scroll_offset.y))

    def _scroll_to_cursor(self) -> None:
        if self._cursor is None:
            return
        top, rows = int(self.scroll_target_y), self._visible_rows
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + rows:
            self.scroll_to(y=self._cursor - rows + 1, animate=False, immediate=True)

    def _follow_cursor(self) -> None:
        """After new rows: keep the selected row (by key), else its hop's row, else the same place."""
        key = self._cursor_key
        if key is None or self._cursor is None:
            return
        keys = [lazy.key for lazy in self._rows]
        ttl, _ = parse_hop_key(key)
        for wanted in (key, hop_key(ttl)):
            if wanted in keys:
                self.select(keys.index(wanted))
                return
        self.select(self._cursor if keys else None)

    def action_move_cursor(self, delta: int) -> None:
        if self._cursor is None:
            self.select_first_visible()
        else:
            self.select(self._cursor + delta)

    def action_page(self, direction: int) -> None:
        if self._cursor is None:
            if direction < 0:
                self.action_page_up()
            else:
                self.action_page_down()
        else:
            self.select(self._cursor + direction * self._visible_rows)

    def action_first_row(self) -> None:
        if self._cursor is None:
            self.action_scroll_home()
        else:
            self.select(0)

    def action_last_row(self) -> None:
        if self._cursor is None:
            self.action_scroll_end()
        else:
            self.select(len(self._rows) - 1)

    def action_clear_cursor(self) -> None:
        self.select(None)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            index = event.y - 1 + int(self.scroll_offset.y)
            if index < len(self._rows):
                self.select(index)
