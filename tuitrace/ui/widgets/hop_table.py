"""The hop table: a DataTable changed cell by cell.

Rebuilding a DataTable on every tick makes it flicker and resets scrolling; here each refresh compares
the new rows with those on screen and touches only the cells that changed. Rows are rebuilt only when the
set of rows changes (a new hop, a new ECMP responder, a toggle) and columns only when the width or the
AS toggle changes them.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.ui.widgets.hop_rows import Cell, Column, Lookup, Row, View, build_rows, plan_columns


def _text(cell: Cell) -> Text:
    return Text(cell.text, style=cell.style, no_wrap=True, overflow="crop")


def _label(column: Column) -> Text:
    room = column.width - 1
    return Text(column.label.rjust(column.width) if column.right else " " + column.label.ljust(room),
                style="bold")


class HopTable(DataTable[Text]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="none", show_cursor=False, cell_padding=0, zebra_stripes=False)
        self._columns: tuple[Column, ...] = ()
        self._rows: dict[str, Row] = {}
        self._order: list[str] = []
        self._latest: tuple[TraceSnapshot, View, Lookup | None] | None = None
        self.cells_updated = 0
        """Cells changed in place since the table was built (how little each refresh touches)."""
        self.rebuilds = 0

    @property
    def rows_shown(self) -> tuple[Row, ...]:
        """The rows on screen, in order, as plain text (for screenshots and tests)."""
        return tuple(self._rows[key] for key in self._order)

    @property
    def columns_shown(self) -> tuple[Column, ...]:
        return self._columns

    def show(self, snapshot: TraceSnapshot, view: View, lookup: Lookup | None) -> None:
        self._latest = (snapshot, view, lookup)
        width = self.size.width or self.app.size.width
        columns = plan_columns(width, view.show_as)
        if columns != self._columns:
            self._set_columns(columns)
        self._apply(build_rows(snapshot, columns, view, lookup))

    def on_resize(self, event: events.Resize) -> None:
        if self._latest is not None:
            self.show(*self._latest)

    def _set_columns(self, columns: tuple[Column, ...]) -> None:
        self.clear(columns=True)
        for column in columns:
            self.add_column(_label(column), key=column.key, width=column.width)
        self._columns = columns
        self._rows = {}
        self._order = []

    def _apply(self, rows: list[Row]) -> None:
        keys = [row.key for row in rows]
        if keys[: len(self._order)] != self._order:
            self.clear()
            self.rebuilds += 1
            self._rows = {}
        for row in rows:
            old = self._rows.get(row.key)
            if old is None:
                self.add_row(*(_text(cell) for cell in row.cells), key=row.key)
            elif old != row:
                for column, new, before in zip(self._columns, row.cells, old.cells, strict=True):
                    if new != before:
                        self.update_cell(row.key, column.key, _text(new))
                        self.cells_updated += 1
            self._rows[row.key] = row
        self._order = keys
