"""What the hop table shows, computed from a snapshot without Textual.

The table widget plans one row per hop and responder on every refresh, but formats a row (padded text
per column) only when it is read, and reuses the previous refresh's row when nothing it is computed from
changed; so a refresh several times a second costs about a screenful of rows, however long the path.
Keeping this pure also lets the screenshot report and the tests read exactly what the user sees.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, RttSummary, TraceSnapshot
from tuitrace.ui.enrichment import EnrichInfo
from tuitrace.ui.format import fit, fmt_ms, fmt_pct, sparkline

Lookup = Callable[[str], EnrichInfo | None]

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


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    style: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class View:
    """The display toggles: names (``n``), AS / place (``z``), ECMP sub-rows (``e``)."""

    names: bool = True
    show_as: bool = False
    expand_ecmp: bool = True


# (key, label, minimum width, right-aligned), most wanted first: at 80 columns the first ones win.
_CANDIDATES: tuple[tuple[str, str, int, bool], ...] = (
    ("ttl", "", 4, True),
    ("host", "Host", HOST_MIN, False),
    ("loss", "Loss%", 7, True),
    ("snt", "Snt", 6, True),
    ("last", "Last", 7, True),
    ("avg", "Avg", 7, True),
    ("as", "AS / place", 19, False),
    ("best", "Best", 7, True),
    ("wrst", "Wrst", 7, True),
    ("stdev", "StDev", 7, True),
    ("jttr", "Jttr", 7, True),
    ("hist", "History", 11, False),
)
_ORDER = ("ttl", "host", "loss", "snt", "last", "avg", "best", "wrst", "stdev", "jttr", "as", "hist")


def plan_columns(width: int, show_as: bool) -> tuple[Column, ...]:
    """The columns that fit in ``width`` terminal cells, widened to use the space that is left."""
    budget = width - SCROLLBAR
    chosen: dict[str, Column] = {}
    used = 0
    for key, label, minimum, right in _CANDIDATES:
        if key == "as" and not show_as:
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


def _host_label(address: str, info: EnrichInfo | None, view: View, room: int) -> str:
    name = info.hostname if info is not None and view.names else None
    if not name:
        return address
    both = f"{name} ({address})"
    return both if len(both) <= room else name


def _as_label(info: EnrichInfo | None) -> str:
    if info is None:
        return ""
    return " ".join(part for part in (info.as_text, info.place) if part)


def _with_suffix(label: str, suffix: str, room: int) -> str:
    """``label`` cut so that ``suffix`` (annotations, share) always stays visible."""
    if not suffix:
        return fit(label, room)
    return fit(label, max(1, room - len(suffix) - 1)) + " " + suffix


def _rtt_cells(rtt: RttSummary) -> dict[str, str]:
    return {
        "last": fmt_ms(rtt.last_ms),
        "avg": fmt_ms(rtt.avg_ms),
        "best": fmt_ms(rtt.best_ms),
        "wrst": fmt_ms(rtt.worst_ms),
        "stdev": fmt_ms(rtt.stdev_ms),
        "jttr": fmt_ms(rtt.jitter_ms),
    }


def hop_key(ttl: int, address: str | None = None) -> str:
    """The key of a hop's row (``hop-4``) or of one responder's sub-row (``hop-4-10.0.4.1``)."""
    return f"hop-{ttl}" if address is None else f"hop-{ttl}-{address}"


def parse_hop_key(key: str) -> tuple[int, str | None]:
    """The TTL and, for a responder's sub-row, the address that ``hop_key`` made ``key`` from."""
    _, ttl, *address = key.split("-", 2)
    return int(ttl), address[0] if address else None


def primary(hop: HopSnapshot) -> ResponderSnapshot | None:
    """The responder with most replies (the first seen on a tie)."""
    best: ResponderSnapshot | None = None
    for responder in hop.responders:
        if best is None or responder.received > best.received:
            best = responder
    return best


class LazyRow:
    """One row of the table, formatted the first time it is read.

    The table reads only the rows on screen, so on a long path a refresh formats a screenful of rows,
    not all of them; a row scrolled into view later is formatted then, from the same snapshot.
    """

    __slots__ = ("_make", "_row", "inputs", "key")

    def __init__(self, key: str, inputs: object, make: Callable[[], Row]) -> None:
        self.key = key
        self.inputs = inputs
        """Everything the row is computed from: equal inputs make an equal row."""
        self._make: Callable[[], Row] | None = make
        self._row: Row | None = None

    @property
    def formatted(self) -> Row | None:
        """The row if it was read already (without formatting it now)."""
        return self._row

    @property
    def row(self) -> Row:
        if self._row is None:
            assert self._make is not None
            self._row = self._make()
            self._make = None
        return self._row


class RowMemo:
    """Rows from the previous plan, reused when everything a row is computed from compares equal.

    Between two refresh ticks most hops and most ECMP responders have not changed (a round sends one probe
    per TTL), so only the rows that did are planned again; a reused row is the very row a fresh build
    would produce. The padded cells are shared too: every ``Loss%`` of ``0.0%`` is one ``Cell``.
    """

    __slots__ = ("_cells", "_context", "_rows")

    MAX_CELLS = 8192
    """Distinct cells kept between builds; beyond this the cache starts again (a long run's old RTTs)."""

    def __init__(self) -> None:
        self._context: object = None
        self._rows: dict[str, LazyRow] = {}
        self._cells: dict[tuple[str, str, str], Cell] = {}

    def begin(self, context: object) -> tuple[dict[str, LazyRow], dict[tuple[str, str, str], Cell]]:
        """The previous rows and the cell cache, both emptied when the columns or the view changed."""
        if context != self._context or len(self._cells) > self.MAX_CELLS:
            self._context = context
            self._rows = {}
            self._cells = {}
        return self._rows, self._cells

    def keep(self, rows: dict[str, LazyRow]) -> None:
        """Remember this plan's rows (only those: rows that left the table are forgotten)."""
        self._rows = rows


class _Builder:
    def __init__(self, columns: Sequence[Column], view: View, lookup: Lookup | None, top_ms: float,
                 memo: RowMemo | None) -> None:
        self.layout = tuple((c.key, c.width, c.width - 1, c.right) for c in columns)
        self.top_ms = top_ms
        self.view = view
        self.lookup = lookup
        widths = {c.key: c.width - 1 for c in columns}
        self.host_room = widths.get("host", HOST_MIN)
        self.hist_room = widths.get("hist", 0)
        self.before: dict[str, LazyRow] = {}
        self.cells: dict[tuple[str, str, str], Cell] = {}
        if memo is not None:
            self.before, self.cells = memo.begin((self.layout, view))
        self.planned: dict[str, LazyRow] = {}

    def info(self, address: str) -> EnrichInfo | None:
        return self.lookup(address) if self.lookup is not None else None

    def plan(self, key: str, inputs: object, make: Callable[[], Row]) -> LazyRow:
        """The previous plan's row for ``key`` when it was made from equal ``inputs``, else a new one."""
        previous = self.before.get(key)
        lazy = previous if previous is not None and previous.inputs == inputs else LazyRow(key, inputs, make)
        self.planned[key] = lazy
        return lazy

    def row(self, key: str, values: dict[str, str], styles: dict[str, str]) -> Row:
        cells = []
        cache = self.cells
        for column, width, room, right in self.layout:
            text = values.get(column, "")
            style = styles.get(column, "")
            ident = (column, text, style)
            cell = cache.get(ident)
            if cell is None:
                shown = fit(text, room)
                cell = cache[ident] = Cell(shown.rjust(width) if right else " " + shown.ljust(room), style)
            cells.append(cell)
        return Row(key, tuple(cells))

    def hop_rows(self, hop: HopSnapshot) -> list[LazyRow]:
        top = primary(hop)
        expand = len(hop.responders) > 1 and self.view.expand_ecmp
        info = self.info(top.address) if top is not None and not expand else None
        key = hop_key(hop.ttl)
        rows = [self.plan(key, (hop, self.top_ms, info), partial(self.hop_row, key, hop, top, info))]
        if expand:
            last = len(hop.responders) - 1
            for i, responder in enumerate(hop.responders):
                info = self.info(responder.address)
                key = hop_key(hop.ttl, responder.address)
                make = partial(self.responder_row, key, responder, i == last, info)
                rows.append(self.plan(key, (responder, i == last, info), make))
        return rows

    def hop_row(self, key: str, hop: HopSnapshot, top: ResponderSnapshot | None,
                info: EnrichInfo | None) -> Row:
        values = {"ttl": f"{hop.ttl}.", "snt": str(hop.sent)} | _rtt_cells(hop.rtt)
        styles: dict[str, str] = {}
        if hop.sent:
            values["loss"] = fmt_pct(hop.loss_pct)
            if hop.loss_pct > 0:
                styles["loss"] = "bold"
        values["hist"] = sparkline(hop.history, self.hist_room, self.top_ms)
        many = len(hop.responders) > 1
        if top is None:
            values["host"] = "???" if hop.sent else "..."
            styles["host"] = "bold" if hop.sent else "dim"
        elif many and self.view.expand_ecmp:
            values["host"] = f"ECMP: {len(hop.responders)} responders"
            styles["host"] = "italic"
        else:
            marks = {m for r in hop.responders for m in r.annotations} if many else set(top.annotations)
            suffix = " ".join(sorted(marks))
            if many:
                suffix = f"+{len(hop.responders) - 1} {suffix}".strip()
            room = self.host_room - (len(suffix) + 1 if suffix else 0)
            values["host"] = _with_suffix(_host_label(top.address, info, self.view, room), suffix,
                                          self.host_room)
            values["as"] = _as_label(info)
            styles["host"] = "bold" if top.is_target else ""
        return self.row(key, values, styles)

    def responder_row(self, key: str, responder: ResponderSnapshot, last: bool,
                      info: EnrichInfo | None) -> Row:
        branch = "└ " if last else "├ "
        suffix = " ".join((f"{responder.share_pct:.0f}%", *responder.annotations))
        room = self.host_room - 2 - len(suffix) - 1
        label = branch + _with_suffix(_host_label(responder.address, info, self.view, room), suffix,
                                      self.host_room - 2)
        values = {"host": label, "snt": str(responder.received), "as": _as_label(info)}
        values |= _rtt_cells(responder.rtt)
        style = "bold" if responder.is_target else "dim"
        return self.row(key, values, {"host": style})


def plan_rows(snapshot: TraceSnapshot, columns: Sequence[Column], view: View, lookup: Lookup | None = None,
              memo: RowMemo | None = None) -> list[LazyRow]:
    """The rows of ``build_rows``, each formatted only when read.

    With a ``memo`` (the table keeps one), a row whose inputs did not change since the previous call is
    the previous call's row, already formatted if it was read.
    """
    top_ms = max((v for hop in snapshot.hops for v in hop.history if v is not None), default=0.0)
    builder = _Builder(columns, view, lookup, top_ms, memo)
    rows: list[LazyRow] = []
    for hop in snapshot.hops:
        rows.extend(builder.hop_rows(hop))
    if memo is not None:
        memo.keep(builder.planned)
    builder.before = builder.planned = {}  # unformatted rows keep the builder; not the older plans
    return rows


def build_rows(snapshot: TraceSnapshot, columns: Sequence[Column], view: View,
               lookup: Lookup | None = None) -> list[Row]:
    """One row per hop in TTL order, plus one sub-row per responder under ECMP hops when expanded."""
    return [lazy.row for lazy in plan_rows(snapshot, columns, view, lookup)]


def addresses(snapshot: TraceSnapshot) -> list[str]:
    """Every responder address in the snapshot, for enrichment requests."""
    return [r.address for hop in snapshot.hops for r in hop.responders]
