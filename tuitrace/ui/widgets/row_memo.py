"""Reuse of the hop table's rows between refreshes, and formatting only the rows that are read.

The table plans one row per hop and responder on every refresh (several a second), but a round sends one
probe per TTL, so most rows have not changed since the previous refresh, and only a screenful is ever
drawn. A ``LazyRow`` formats its row the first time it is read; a ``RowMemo`` hands back the previous
refresh's row when everything it is computed from compares equal, already formatted if it was read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

RowT = TypeVar("RowT")
CellT = TypeVar("CellT")


class LazyRow(Generic[RowT]):
    """One row of the table, formatted the first time it is read.

    The table reads only the rows on screen, so on a long path a refresh formats a screenful of rows,
    not all of them; a row scrolled into view later is formatted then, from the same snapshot.
    """

    __slots__ = ("_make", "_row", "inputs", "key")

    def __init__(self, key: str, inputs: object, make: Callable[[], RowT]) -> None:
        self.key = key
        self.inputs = inputs
        """Everything the row is computed from: equal inputs make an equal row."""
        self._make: Callable[[], RowT] | None = make
        self._row: RowT | None = None

    @property
    def formatted(self) -> RowT | None:
        """The row if it was read already (without formatting it now)."""
        return self._row

    @property
    def row(self) -> RowT:
        if self._row is None:
            assert self._make is not None
            self._row = self._make()
            self._make = None
        return self._row


class RowMemo(Generic[RowT, CellT]):
    """Rows from the previous plan, reused when everything a row is computed from compares equal.

    A reused row is the very row a fresh build would produce. The formatted cells are shared too (every
    ``Loss%`` of ``0.0%`` is one cell), in a cache that the row builder fills.
    """

    __slots__ = ("_cells", "_context", "_rows")

    MAX_CELLS = 8192
    """Distinct cells kept between builds; beyond this the cache starts again (a long run's old RTTs)."""

    def __init__(self) -> None:
        self._context: object = None
        self._rows: dict[str, LazyRow[RowT]] = {}
        self._cells: dict[Hashable, CellT] = {}

    def begin(self, context: object) -> tuple[dict[str, LazyRow[RowT]], dict[Hashable, CellT]]:
        """The previous rows and the cell cache, both emptied when ``context`` (the columns and the view,
        which every row depends on) changed."""
        if context != self._context or len(self._cells) > self.MAX_CELLS:
            self._context = context
            self._rows = {}
            self._cells = {}
        return self._rows, self._cells

    def keep(self, rows: dict[str, LazyRow[RowT]]) -> None:
        """Remember this plan's rows (only those: rows that left the table are forgotten)."""
        self._rows = rows
