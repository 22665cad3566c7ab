"""The text report (the same mtr-style table as ``--report``, with its "Events" block) for screenshots and
``--report-on-exit``.

The renderer belongs to ``tuitrace.report``; this is the one place where the UI calls it, with the same
names-or-addresses choice the user made on screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from tuitrace.report.privacy import hidden_lookup
from tuitrace.report.text import render_text
from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.timeline.events import Event
from tuitrace.ui.enrichment import Enricher


def text_report(
    snapshot: TraceSnapshot,
    enricher: Enricher | None,
    numeric: bool,
    events: Sequence[Event] = (),
    flows: FlowsSnapshot | None = None,
    *,
    hidden: bool = False,
) -> str:
    """The text report; with ``--flows``, its "Paths" and "Flows" blocks too, and with ``--mda`` its "MDA"
    block. ``hidden``: ``snapshot`` is redacted (``report.privacy``): its hidden responders get no lookups."""
    lookup = enricher.get if enricher is not None else None
    return render_text(snapshot, hidden_lookup(lookup) if hidden else lookup, numeric, events, flows=flows,
                       mda=flows.discovery if flows is not None else None)
