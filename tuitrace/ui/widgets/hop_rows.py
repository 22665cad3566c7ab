"""What the hop table shows, computed from a snapshot without Textual.

The table widget compares these plain rows with the ones on screen and changes only the cells that
differ, so a refresh several times a second touches a handful of cells instead of rebuilding the table.
Keeping this pure also lets the screenshot report and the tests read exactly what the user sees.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


def _pad(text: str, column: Column) -> str:
    room = column.width - 1
    return fit(text, room).rjust(column.width) if column.right else " " + fit(text, room).ljust(room)


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


def primary(hop: HopSnapshot) -> ResponderSnapshot | None:
    """The responder with most replies (the first seen on a tie)."""
    best: ResponderSnapshot | None = None
    for responder in hop.responders:
        if best is None or responder.received > best.received:
            best = responder
    return best


class _Builder:
    def __init__(self, columns: Sequence[Column], view: View, lookup: Lookup | None, top_ms: float) -> None:
        self.columns = columns
        self.top_ms = top_ms
        self.view = view
        self.lookup = lookup
        widths = {c.key: c.width - 1 for c in columns}
        self.host_room = widths.get("host", HOST_MIN)
        self.hist_room = widths.get("hist", 0)

    def info(self, address: str) -> EnrichInfo | None:
        return self.lookup(address) if self.lookup is not None else None

    def row(self, key: str, values: dict[str, str], styles: dict[str, str]) -> Row:
        cells = tuple(Cell(_pad(values.get(c.key, ""), c), styles.get(c.key, "")) for c in self.columns)
        return Row(key, cells)

    def hop_rows(self, hop: HopSnapshot) -> list[Row]:
        values = {"ttl": f"{hop.ttl}.", "snt": str(hop.sent)} | _rtt_cells(hop.rtt)
        styles: dict[str, str] = {}
        if hop.sent:
            values["loss"] = fmt_pct(hop.loss_pct)
            if hop.loss_pct > 0:
                styles["loss"] = "bold"
        values["hist"] = sparkline(hop.history, self.hist_room, self.top_ms)
        top = primary(hop)
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
            info = self.info(top.address)
            room = self.host_room - (len(suffix) + 1 if suffix else 0)
            values["host"] = _with_suffix(_host_label(top.address, info, self.view, room), suffix,
                                          self.host_room)
            values["as"] = _as_label(info)
            styles["host"] = "bold" if top.is_target else ""
        rows = [self.row(f"hop-{hop.ttl}", values, styles)]
        if many and self.view.expand_ecmp:
            last = len(hop.responders) - 1
            rows.extend(self.responder_row(hop, r, i == last) for i, r in enumerate(hop.responders))
        return rows

    def responder_row(self, hop: HopSnapshot, responder: ResponderSnapshot, last: bool) -> Row:
        info = self.info(responder.address)
        branch = "└ " if last else "├ "
        suffix = " ".join((f"{responder.share_pct:.0f}%", *responder.annotations))
        room = self.host_room - 2 - len(suffix) - 1
        label = branch + _with_suffix(_host_label(responder.address, info, self.view, room), suffix,
                                      self.host_room - 2)
        values = {"host": label, "snt": str(responder.received), "as": _as_label(info)}
        values |= _rtt_cells(responder.rtt)
        style = "bold" if responder.is_target else "dim"
        return self.row(f"hop-{hop.ttl}-{responder.address}", values, {"host": style})


def build_rows(snapshot: TraceSnapshot, columns: Sequence[Column], view: View,
               lookup: Lookup | None = None) -> list[Row]:
    """One row per hop in TTL order, plus one sub-row per responder under ECMP hops when expanded."""
    top_ms = max((v for hop in snapshot.hops for v in hop.history if v is not None), default=0.0)
    builder = _Builder(columns, view, lookup, top_ms)
    rows: list[Row] = []
    for hop in snapshot.hops:
        rows.extend(builder.hop_rows(hop))
    return rows


def addresses(snapshot: TraceSnapshot) -> list[str]:
    """Every responder address in the snapshot, for enrichment requests."""
    return [r.address for hop in snapshot.hops for r in hop.responders]
