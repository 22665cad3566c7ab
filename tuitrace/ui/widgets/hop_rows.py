"""What the hop table shows, computed from a snapshot without Textual: one row per hop, and one per
responder under an ECMP hop, as padded text per column.

Rows are planned on every refresh but formatted only when read, and the previous refresh's row is reused
when nothing it is computed from changed (``row_memo``); so a refresh several times a second costs about a
screenful of rows, however long the path. Which columns there are comes from ``hop_columns``. Keeping
this pure also lets the screenshot report and the tests read exactly what the user sees.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import partial

from tuitrace.diagnose.finding import Severity
from tuitrace.diagnose.path import return_hops
from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, RttSummary, TraceSnapshot
from tuitrace.ui.enrichment import EnrichInfo
from tuitrace.ui.findings_look import SEVERITY_STYLES
from tuitrace.ui.format import fit, fmt_ms, fmt_pct, loss_style, rtt_style, sparkline
from tuitrace.ui.widgets.hop_columns import DEFAULT_KEYS, HOST_MIN, JITTER_KEYS, Column
from tuitrace.ui.widgets.row_memo import LazyRow, RowMemo

Lookup = Callable[[str], EnrichInfo | None]
HopMarks = dict[int, tuple[str, Severity]]
"""Per TTL: the findings' markers for the hop's row and their worst severity (``findings_look``)."""


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
    """The display toggles: names (``n``), AS / place (``z``), ECMP sub-rows (``e``), fields (``o``) and
    the jitter fields (``j``)."""

    names: bool = True
    show_as: bool | None = None
    """``None``: the AS / place column shows when it fits (``hop_columns.as_column_wanted``)."""
    expand_ecmp: bool = True
    show_mpls: bool = True
    """MPLS label stacks on lines of their own under the responder (``m``; mtr's ``-e``)."""
    show_back: bool = False
    """The ``Back`` column: return-path hops estimated from the reply TTL (``b``; traceroute's ``--back``)."""
    fields: tuple[str, ...] = DEFAULT_KEYS
    """The statistics columns, in order (``hop_columns.parse_fields``)."""
    jitter: bool = False
    """``j``: mtr's jitter fields instead of ``fields``."""

    @property
    def shown_fields(self) -> tuple[str, ...]:
        return JITTER_KEYS if self.jitter else self.fields


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


def _back(responder: ResponderSnapshot) -> str:
    return str(return_hops(responder.reply_ttl)[1]) if responder.reply_ttl else ""


def _rtt_cells(rtt: RttSummary) -> dict[str, str]:
    return {
        "last": fmt_ms(rtt.last_ms),
        "avg": fmt_ms(rtt.avg_ms),
        "best": fmt_ms(rtt.best_ms),
        "wrst": fmt_ms(rtt.worst_ms),
        "stdev": fmt_ms(rtt.stdev_ms),
        "gmean": fmt_ms(rtt.geomean_ms),
        "median": fmt_ms(rtt.median_ms),
        "p95": fmt_ms(rtt.p95_ms),
        "jttr": fmt_ms(rtt.jitter_ms),
        "javg": fmt_ms(rtt.jitter_avg_ms),
        "jmax": fmt_ms(rtt.jitter_max_ms),
        "jint": fmt_ms(rtt.jitter_interarrival_ms),
    }


def _rtt_styles(rtt: RttSummary) -> dict[str, str]:
    """The severity colour of the RTT levels (``format.rtt_style``); spreads and jitter stay plain."""
    levels = {"last": rtt.last_ms, "avg": rtt.avg_ms, "gmean": rtt.geomean_ms, "median": rtt.median_ms,
              "p95": rtt.p95_ms, "wrst": rtt.worst_ms}
    return {key: style for key, value in levels.items() if (style := rtt_style(value))}


def hop_key(ttl: int, address: str | None = None) -> str:
    """The key of a hop's row (``hop-4``) or of one responder's sub-row (``hop-4-10.0.4.1``)."""
    return f"hop-{ttl}" if address is None else f"hop-{ttl}-{address}"


def parse_hop_key(key: str) -> tuple[int, str | None]:
    """The TTL and, for a responder's sub-row, the address that ``hop_key`` made ``key`` from."""
    _, ttl, *address = key.split("-", 2)
    return int(ttl), address[0].split("/")[0] if address else None


def mpls_key(ttl: int, address: str, index: int) -> str:
    """The key of the line of a responder's ``index``-th MPLS label (``hop-4-10.0.4.1/mpls0``)."""
    return f"{hop_key(ttl, address)}/mpls{index}"


def primary(hop: HopSnapshot) -> ResponderSnapshot | None:
    """The responder with most replies (the first seen on a tie)."""
    best: ResponderSnapshot | None = None
    for responder in hop.responders:
        if best is None or responder.received > best.received:
            best = responder
    return best


HopRowMemo = RowMemo[Row, Cell]
"""The memo the table keeps between refreshes."""


class _Builder:
    def __init__(self, columns: Sequence[Column], view: View, lookup: Lookup | None, top_ms: float,
                 memo: HopRowMemo | None, *, marks: HopMarks | None = None) -> None:
        self.marks = marks or {}
        self.layout = tuple((c.key, c.width, c.width - 1, c.right) for c in columns)
        self.top_ms = top_ms
        self.view = view
        self.lookup = lookup
        widths = {c.key: c.width - 1 for c in columns}
        self.host_room = widths.get("host", HOST_MIN)
        self.hist_room = widths.get("hist", 0)
        self.before: dict[str, LazyRow[Row]] = {}
        self.cells: dict[Hashable, Cell] = {}
        if memo is not None:
            self.before, self.cells = memo.begin((self.layout, view))
        self.planned: dict[str, LazyRow[Row]] = {}

    def info(self, address: str) -> EnrichInfo | None:
        return self.lookup(address) if self.lookup is not None else None

    def plan(self, key: str, inputs: object, make: Callable[[], Row]) -> LazyRow[Row]:
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

    def hop_rows(self, hop: HopSnapshot) -> list[LazyRow[Row]]:
        top = primary(hop)
        expand = len(hop.responders) > 1 and self.view.expand_ecmp
        info = self.info(top.address) if top is not None and not expand else None
        key = hop_key(hop.ttl)
        mark = self.marks.get(hop.ttl)
        rows = [self.plan(key, (hop, self.top_ms, info, mark), partial(self.hop_row, key, hop, top, info))]
        if expand:
            last = len(hop.responders) - 1
            for i, responder in enumerate(hop.responders):
                info = self.info(responder.address)
                key = hop_key(hop.ttl, responder.address)
                make = partial(self.responder_row, key, responder, i == last, info)
                rows.append(self.plan(key, (responder, i == last, info), make))
                rows += self.mpls_rows(hop.ttl, responder, "  ")
        elif top is not None:
            rows += self.mpls_rows(hop.ttl, top, "")
        return rows

    def mpls_rows(self, ttl: int, responder: ResponderSnapshot, indent: str) -> list[LazyRow[Row]]:
        if not self.view.show_mpls or not responder.mpls:
            return []
        rows = []
        for i, entry in enumerate(responder.mpls):
            key = mpls_key(ttl, responder.address, i)
            values = {"host": f"{indent}  [MPLS: {entry.text}]"}
            rows.append(self.plan(key, entry, partial(self.row, key, values, {"host": "dim"})))
        return rows

    def hop_row(self, key: str, hop: HopSnapshot, top: ResponderSnapshot | None,
                info: EnrichInfo | None) -> Row:
        values = {"ttl": f"{hop.ttl}.", "snt": str(hop.sent), "rcv": str(hop.received)} | _rtt_cells(hop.rtt)
        styles = _rtt_styles(hop.rtt)
        if hop.sent:
            values["loss"] = fmt_pct(hop.loss_pct)
            values["drop"] = str(hop.sent - hop.received)
            style = loss_style(hop.loss_pct)
            if style:
                styles["loss"] = styles["drop"] = style
        values["hist"] = sparkline(hop.history, self.hist_room, self.top_ms)
        many = len(hop.responders) > 1
        mark = self.marks.get(hop.ttl)
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
            if mark is not None:
                suffix = f"{suffix} {mark[0]}".strip()
            room = self.host_room - (len(suffix) + 1 if suffix else 0)
            values["host"] = _with_suffix(_host_label(top.address, info, self.view, room), suffix,
                                          self.host_room)
            values["as"] = _as_label(info)
            values["back"] = _back(top) if not many else ""
            styles["host"] = "bold" if top.is_target else ""
        if mark is not None:  # the findings' markers stay visible, like the annotations
            if top is None or (many and self.view.expand_ecmp):
                values["host"] = _with_suffix(values["host"], mark[0], self.host_room)
            styles["host"] = f"{styles.get('host', '')} {SEVERITY_STYLES[mark[1]]}".strip()
        return self.row(key, values, styles)

    def responder_row(self, key: str, responder: ResponderSnapshot, last: bool,
                      info: EnrichInfo | None) -> Row:
        branch = "└ " if last else "├ "
        suffix = " ".join((f"{responder.share_pct:.0f}%", *responder.annotations))
        room = self.host_room - 2 - len(suffix) - 1
        label = branch + _with_suffix(_host_label(responder.address, info, self.view, room), suffix,
                                      self.host_room - 2)
        values = {"host": label, "snt": str(responder.received), "rcv": str(responder.received),
                  "as": _as_label(info)}
        values["back"] = _back(responder)
        values |= _rtt_cells(responder.rtt)
        styles = _rtt_styles(responder.rtt)
        styles["host"] = "bold" if responder.is_target else "dim"
        return self.row(key, values, styles)


def plan_rows(snapshot: TraceSnapshot, columns: Sequence[Column], view: View, lookup: Lookup | None = None,
              memo: HopRowMemo | None = None, *, marks: HopMarks | None = None) -> list[LazyRow[Row]]:
    """The rows of ``build_rows``, each formatted only when read.

    With a ``memo`` (the table keeps one), a row whose inputs did not change since the previous call is
    the previous call's row, already formatted if it was read.
    """
    top_ms = max((v for hop in snapshot.hops for v in hop.history if v is not None), default=0.0)
    builder = _Builder(columns, view, lookup, top_ms, memo, marks=marks)
    rows: list[LazyRow[Row]] = []
    for hop in snapshot.hops:
        rows.extend(builder.hop_rows(hop))
    if memo is not None:
        memo.keep(builder.planned)
    builder.before = builder.planned = {}  # unformatted rows keep the builder; not the older plans
    return rows


def build_rows(snapshot: TraceSnapshot, columns: Sequence[Column], view: View,
               lookup: Lookup | None = None, marks: HopMarks | None = None) -> list[Row]:
    """One row per hop in TTL order, plus one sub-row per responder under ECMP hops when expanded."""
    return [lazy.row for lazy in plan_rows(snapshot, columns, view, lookup, marks=marks)]


def addresses(snapshot: TraceSnapshot) -> list[str]:
    """Every responder address in the snapshot, for enrichment requests."""
    return [r.address for hop in snapshot.hops for r in hop.responders]
