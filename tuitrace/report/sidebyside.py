"""Several traces' paths side by side: a row per TTL, a column per trace (a target, or a vantage point).

"Is it my path or everyone's?" is read across a row: where the traces from here, from a jump host and from
a second site show the same router, their paths have met. A cell is the router that answered most at that
TTL (``+n`` for more, as ECMP gives), its marks, loss and average; ``*`` where nothing answered, empty past
that trace's end. A router that is also on another trace's path starts with ``=``, so where paths meet
is legible without colour.

Pure: outcomes in, text cells out; the overview tab and the text report print the same cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tuitrace.diagnose.compare import SettingHop, setting_hop

if TYPE_CHECKING:
    from tuitrace.report.multi import TargetOutcome

SHARED = "="
LEGEND = f"{SHARED} also on another trace's path; * no answer; loss% and avg ms at that hop"
MOST_BESIDE = 6
"""Columns at most (the first traces: here, then the others in their order); sixty RIPE Atlas probes side by
side would be unreadable, and each has its own tab and report entry."""


@dataclass(frozen=True, slots=True)
class SideBySide:
    titles: tuple[str, ...]
    """Per traced outcome: where it runs (``here``, ``ops@jump1``) when every trace has the same target
    address, else the target, with ``from ...`` when it runs elsewhere."""
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    """``(ttl, cells)``, one cell per title."""
    left_out: int = 0
    """Traces with a path that did not fit (beyond :data:`MOST_BESIDE`)."""


def _title(outcome: TargetOutcome, one_target: bool) -> str:
    where = "here" if outcome.vantage == "local" else outcome.vantage
    if one_target:
        return where
    elsewhere = f" from {where}"
    if outcome.vantage == "local" or outcome.host.endswith(elsewhere):
        return outcome.host
    return outcome.host + elsewhere


def _cell(hop: SettingHop | None, shared: set[str]) -> str:
    if hop is None:
        return ""
    if not hop.responders:
        return "*"
    first = hop.responders[0]
    who = (SHARED if first in shared else "") + first
    more = f" +{len(hop.responders) - 1}" if len(hop.responders) > 1 else ""
    avg = "" if hop.avg_ms is None else f" {hop.avg_ms:.1f}"
    return " ".join([who + more, *hop.annotations]) + f" {hop.loss_pct:.0f}%{avg}"


def side_by_side(outcomes: Sequence[TargetOutcome]) -> SideBySide | None:
    """The traced outcomes' paths by TTL; ``None`` when fewer than two traces have a path to show."""
    every = [o for o in outcomes if o.snapshot is not None and o.snapshot.hops]
    if len(every) < 2:
        return None
    traced = every[:MOST_BESIDE]
    paths = [{hop.ttl: setting_hop(hop) for hop in o.snapshot.hops} for o in traced if o.snapshot]
    seen_by: dict[str, set[int]] = {}
    for number, path in enumerate(paths):
        for hop in path.values():
            for address in hop.responders:
                seen_by.setdefault(address, set()).add(number)
    shared = {address for address, traces in seen_by.items() if len(traces) > 1}
    depth = max(max(path) for path in paths)
    one_target = len({o.snapshot.target for o in traced if o.snapshot}) == 1
    return SideBySide(
        titles=tuple(_title(o, one_target) for o in traced),
        rows=tuple((ttl, tuple(_cell(path.get(ttl), shared) for path in paths))
                   for ttl in range(1, depth + 1)),
        left_out=len(every) - len(traced),
    )


def legend(table: SideBySide) -> str:
    more = f"; {table.left_out} more traces in their own tabs and entries" if table.left_out else ""
    return LEGEND + more


def side_by_side_lines(outcomes: Sequence[TargetOutcome]) -> list[str]:
    """The text report's "Paths side by side" block (empty when there is nothing to set side by side)."""
    table = side_by_side(outcomes)
    if table is None:
        return []
    widths = [max([len(title), *(len(cells[n]) for _, cells in table.rows)])
              for n, title in enumerate(table.titles)]

    def line(first: str, cells: Sequence[str]) -> str:
        padded = (f"{cell:<{width}}" for cell, width in zip(cells, widths, strict=True))
        return "  " + "  ".join([f"{first:>3}", *padded]).rstrip()

    return ["Paths side by side", line("TTL", table.titles),
            *(line(str(ttl), cells) for ttl, cells in table.rows), f"  ({legend(table)})"]
