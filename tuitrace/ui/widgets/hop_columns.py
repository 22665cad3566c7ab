"""Which columns of the hop table fit a terminal, and how wide each one is.

mtr's columns come first: at 80 cells the TTL, host and RTT columns win, and a wider terminal adds the
RTT history and the AS / place column. The AS / place column shows by itself only when it fits next to
every other column and something can fill it (lookups are on); ``z`` overrides that either way.
"""

from __future__ import annotations

from dataclasses import dataclass

SCROLLBAR = 1
HOST_MIN = 17
HOST_MAX = 44
HIST_MAX = 40
AS_MAX = 34


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int
    """Cells, including the one blank that separates it from its left neighbour."""
    right: bool = True


# (key, label, minimum width, right-aligned), most wanted first: at 80 columns the first ones win.
_CANDIDATES: tuple[tuple[str, str, int, bool], ...] = (
    ("ttl", "", 4, True),
    ("host", "Host", HOST_MIN, False),
    ("loss", "Loss%", 7, True),
    ("snt", "Snt", 6, True),
    ("back", "Back", 5, True),
    ("last", "Last", 7, True),
    ("avg", "Avg", 7, True),
    ("as", "AS / place", 19, False),
    ("best", "Best", 7, True),
    ("wrst", "Wrst", 7, True),
    ("stdev", "StDev", 7, True),
    ("jttr", "Jttr", 7, True),
    ("hist", "History", 11, False),
)
_ORDER = ("ttl", "host", "loss", "snt", "back", "last", "avg", "best", "wrst", "stdev", "jttr", "as", "hist")

AS_FITS = SCROLLBAR + sum(minimum for key, _, minimum, _ in _CANDIDATES if key != "back")
"""The narrowest terminal where the AS / place column fits with every other column at its minimum."""


def as_column_wanted(show_as: bool | None, width: int, lookups: bool) -> bool:
    """Whether to plan the AS / place column: the user's choice (``z``), else (``None``) when it fits in
    ``width`` without pushing another column out and lookups can fill it."""
    if show_as is not None:
        return show_as
    return lookups and width >= AS_FITS


def plan_columns(width: int, show_as: bool, *, show_back: bool = False) -> tuple[Column, ...]:
    """The columns that fit in ``width`` terminal cells, widened to use the space that is left. ``Back``
    (hops of the return path, from the reply TTL) only with ``show_back`` (key ``b``)."""
    budget = width - SCROLLBAR
    chosen: dict[str, Column] = {}
    used = 0
    for key, label, minimum, right in _CANDIDATES:
        if (key == "as" and not show_as) or (key == "back" and not show_back):
            continue
        if key in ("ttl", "host") or used + minimum <= budget:
            chosen[key] = Column(key, label, minimum, right)
            used += minimum
    spare = budget - used
    for key, limit in (("host", 28), ("as", AS_MAX), ("host", HOST_MAX), ("hist", HIST_MAX)):
        if key in chosen and spare > 0:
            grow = min(spare, limit - chosen[key].width)
            col = chosen[key]
            chosen[key] = Column(col.key, col.label, col.width + grow, col.right)
            spare -= grow
    return tuple(chosen[key] for key in _ORDER if key in chosen)
