"""Which columns of the hop table there are, in which order, which fit a terminal, and how wide each is.

The statistics columns are *fields*, chosen as mtr chooses them: ``--fields`` takes mtr's ``-o`` letters
(``LSNABWV``) or long names (``loss,snt,last``), and ``o`` asks for the same text on screen; the order
given is the order shown, and the first ones win when the terminal is narrow. The TTL and host columns are
always there. A wider terminal adds the AS / place column, which shows by itself only when it fits next to
every other column and something can fill it (lookups are on); ``z`` overrides that either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SCROLLBAR = 1
HOST_MIN = 17
HOST_MAX = 44
HIST_MAX = 40
AS_MIN = 19
AS_MAX = 34
AS_AFTER = 4
"""The AS / place column is wanted right after this many fields (at 80 cells it loses to them)."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int
    """Cells, including the one blank that separates it from its left neighbour."""
    right: bool = True


@dataclass(frozen=True, slots=True)
class Field:
    """A statistics column the user can pick: mtr's letter, a long name, its heading and what it means."""

    letter: str
    key: str
    label: str
    width: int
    about: str
    right: bool = True


FIELDS: tuple[Field, ...] = (
    Field("L", "loss", "Loss%", 7, "lost probes, percent"),
    Field("D", "drop", "Drop", 6, "probes lost"),
    Field("R", "rcv", "Rcv", 6, "replies received"),
    Field("S", "snt", "Snt", 6, "probes sent (answered or timed out)"),
    Field("N", "last", "Last", 7, "newest RTT"),
    Field("B", "best", "Best", 7, "lowest RTT"),
    Field("A", "avg", "Avg", 7, "mean RTT"),
    Field("W", "wrst", "Wrst", 7, "highest RTT"),
    Field("V", "stdev", "StDev", 7, "standard deviation of the RTT"),
    Field("G", "gmean", "Gmean", 7, "geometric mean RTT (spikes weigh less)"),
    Field("E", "median", "Med", 7, "median RTT (within 1 %, from a bounded sketch)"),
    Field("P", "p95", "P95", 7, "95th percentile RTT (within 1 %)"),
    Field("J", "jttr", "Jttr", 7, "jitter: |newest - previous| RTT"),
    Field("M", "javg", "Javg", 7, "mean jitter"),
    Field("X", "jmax", "Jmax", 7, "worst jitter"),
    Field("I", "jint", "Jint", 7, "interarrival jitter (RFC 3550, smoothed)"),
    Field("H", "hist", "History", 11, "RTT history sparkline, · a lost probe", right=False),
)
BY_LETTER = {f.letter: f for f in FIELDS}
BY_KEY = {f.key: f for f in FIELDS}
DEFAULT_FIELDS = "LSNABWVJH"
"""mtr's default (``LS NABWV``), then jitter and the history sparkline."""
JITTER_FIELDS = "DRAGJMXIH"
"""What ``j`` switches to, as mtr's ``j`` does (``DR AGJMXI``), keeping the history."""


def parse_fields(text: str) -> tuple[str, ...]:
    """The field keys that ``text`` names, in its order: mtr letters (``LSNABWV``; blanks are ignored, as
    mtr's are spacing) or long names separated by commas (``loss,snt,avg``). ``ValueError`` names the
    first unknown or repeated field."""
    words = [w.strip() for w in text.split(",")] if "," in text or text.strip().lower() in BY_KEY else None
    keys: list[str] = []
    if words is not None:
        for word in words:
            field = BY_KEY.get(word.lower())
            if field is None:
                raise ValueError(f"unknown field {word!r}: the names are {', '.join(BY_KEY)}")
            keys.append(field.key)
    else:
        for letter in text.replace(" ", ""):
            field = BY_LETTER.get(letter.upper())
            if field is None:
                raise ValueError(f"unknown field letter {letter!r}: the letters are {''.join(BY_LETTER)}")
            keys.append(field.key)
    if not keys:
        raise ValueError("name at least one field")
    repeated = next((k for i, k in enumerate(keys) if k in keys[:i]), None)
    if repeated is not None:
        raise ValueError(f"field {BY_KEY[repeated].letter} ({repeated}) is named twice")
    return tuple(keys)


def fields_text(keys: Sequence[str]) -> str:
    """The letters of ``keys`` (what ``--fields`` and ``o`` accept back)."""
    return "".join(BY_KEY[k].letter for k in keys)


DEFAULT_KEYS = parse_fields(DEFAULT_FIELDS)
JITTER_KEYS = parse_fields(JITTER_FIELDS)

_FIXED: tuple[tuple[str, str, int, bool], ...] = (("ttl", "", 4, True), ("host", "Host", HOST_MIN, False))


BACK = ("back", "Back", 5, True)
"""Hops of the return path, from the reply TTL (key ``b``): right after Snt, or first of the fields."""


def _candidates(fields: Sequence[str], show_as: bool,
                show_back: bool = False) -> list[tuple[str, str, int, bool]]:
    """(key, label, minimum width, right-aligned), most wanted first: at 80 columns the first ones win."""
    chosen = [(f.key, f.label, f.width, f.right) for f in (BY_KEY[k] for k in fields)]
    if show_as:
        chosen.insert(min(AS_AFTER, len(chosen)), ("as", "AS / place", AS_MIN, False))
    if show_back:
        keys = [key for key, *_ in chosen]
        chosen.insert(keys.index("snt") + 1 if "snt" in keys else 0, BACK)
    return [*_FIXED, *chosen]


def as_fits(fields: Sequence[str] = DEFAULT_KEYS) -> int:
    """The narrowest terminal where the AS / place column fits with every field at its minimum."""
    return SCROLLBAR + sum(minimum for _, _, minimum, _ in _candidates(fields, True))


AS_FITS = as_fits()
"""``as_fits`` for the default fields."""


def as_column_wanted(show_as: bool | None, width: int, lookups: bool,
                     fields: Sequence[str] = DEFAULT_KEYS) -> bool:
    """Whether to plan the AS / place column: the user's choice (``z``), else (``None``) when it fits in
    ``width`` without pushing another column out and lookups can fill it."""
    if show_as is not None:
        return show_as
    return lookups and width >= as_fits(fields)


def plan_columns(width: int, show_as: bool, fields: Sequence[str] = DEFAULT_KEYS, *,
                 show_back: bool = False) -> tuple[Column, ...]:
    """The columns that fit in ``width`` terminal cells, widened to use the space that is left: TTL, host,
    the ``fields`` in their order, the AS / place column just before the history (or last); ``Back`` only
    with ``show_back``."""
    budget = width - SCROLLBAR
    chosen: dict[str, Column] = {}
    used = 0
    for key, label, minimum, right in _candidates(fields, show_as, show_back):
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
    order = ["ttl", "host", *fields]
    order.insert(order.index("hist") if "hist" in order else len(order), "as")
    order.insert(order.index("snt") + 1 if "snt" in order else 2, "back")
    return tuple(chosen[key] for key in order if key in chosen)
