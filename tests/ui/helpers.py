"""Reading the app's screen in tests the way a user reads it."""

from __future__ import annotations

from textual.geometry import Region

from tuitrace.ui.app import TraceApp
from tuitrace.ui.widgets.header import TraceHeader
from tuitrace.ui.widgets.hop_table import HopTable


def header(app: TraceApp) -> str:
    return app.query_one(TraceHeader).plain


def table(app: TraceApp) -> HopTable:
    return app.query_one(HopTable)


def cells(app: TraceApp, row_key: str) -> dict[str, str]:
    """The row's cells by column key, stripped."""
    hop_table = table(app)
    row = next(r for r in hop_table.rows_shown if r.key == row_key)
    return {c.key: cell.text.strip() for c, cell in zip(hop_table.columns_shown, row.cells, strict=True)}


def row_keys(app: TraceApp) -> list[str]:
    return [r.key for r in table(app).rows_shown]


def table_lines(app: TraceApp) -> list[str]:
    """The hop table as it is drawn on screen now (column titles first), trailing blanks cut."""
    hop_table = table(app)
    width, height = hop_table.size
    return [strip.text.rstrip() for strip in hop_table.render_lines(Region(0, 0, width, height))]


def header_lines(app: TraceApp) -> list[str]:
    """The header as it is drawn on screen now, trailing blanks cut."""
    widget = app.query_one(TraceHeader)
    width, height = widget.outer_size
    return [strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height))]
