"""Puts the pieces together for one invocation: network back-end, engine, enrichment, then UI or report.

It takes the typed options the command line built (:class:`~tuitrace.invocation.Invocation`), never argparse.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

from tuitrace.config import TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.enrich.options import EnrichOptions, find_geoip_files
from tuitrace.invocation import Invocation, NetworkChoice, ReportFormat, ReportOptions
from tuitrace.privileges import drop_privileges
from tuitrace.probe.backend import open_every_protocol, open_probing_network
from tuitrace.probe.network import Network
from tuitrace.probe.simnet import RealtimeSimNetwork
from tuitrace.probe.types import ProbeResult
from tuitrace.report.csv import render_csv
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text

if TYPE_CHECKING:
    from tuitrace.enrich.enricher import Enricher

ENRICH_GRACE = 3.0
"""Seconds a headless report waits at the end for lookups still in flight."""


def open_network(config: TraceConfig, choice: NetworkChoice) -> Network:
    if choice.scenario is not None:
        return RealtimeSimNetwork(choice.scenario)
    return open_probing_network(config, choice.mode)


def request_responders(enricher: Enricher) -> Callable[[ProbeResult], None]:
    """An engine listener that asks for enrichment once per new responder address."""
    seen: set[str] = set()

    def listener(result: ProbeResult) -> None:
        address = result.responder
        if address is not None and address not in seen:
            seen.add(address)
            enricher.request(address)

    return listener


def run(invocation: Invocation) -> int:
    network = open_network(invocation.trace, invocation.network)
    engine = Engine(invocation.trace, network)
    open_every_protocol(network)
    report = invocation.report
    # Load what runs later while we may still read everything (a root-only Python install, say): the
    # privilege drop comes before any other thread starts and before any file is written.
    enricher = open_enricher(invocation.enrich, always=report is None)
    if report is not None:
        drop_privileges()
        return run_report(engine, report, enricher)
    ui = import_module("tuitrace.ui.app")
    drop_privileges()
    with enricher or contextlib.nullcontext():
        if enricher is not None:
            engine.add_listener(request_responders(enricher))
        status: int = ui.run_tui(engine, dataclasses.replace(invocation.ui, enricher=enricher))
        return status


def open_enricher(options: EnrichOptions, *, always: bool = False) -> Enricher | None:
    """The lookup service, or ``None`` when there is nothing it could look up (no DNS, no GeoIP file):
    then dnspython and asyncio are not even imported. The UI always gets one (it says when places are
    missing and how to get them)."""
    sends_queries = options.rdns_enabled or options.asn_enabled
    nothing = (
        not sends_queries and not options.geoip_paths and not find_geoip_files(options.geoip_search_dirs)
    )
    if nothing and not always:
        return None
    from tuitrace.enrich.enricher import Enricher

    return Enricher(options)


def run_report(engine: Engine, options: ReportOptions, enricher: Enricher | None) -> int:
    with enricher or contextlib.nullcontext():
        if enricher is not None:
            engine.add_listener(request_responders(enricher))
        interrupted = False
        try:
            engine.run()
        except KeyboardInterrupt:
            interrupted = True  # print what was measured so far: nothing the user waited for is lost
        finally:
            engine.stop()
        snapshot = engine.snapshot()
        lookup = None
        if enricher is not None:
            enricher.wait_idle(ENRICH_GRACE)
            if options.show_notices:  # only problems with files the user named; --help tells the rest
                for notice in enricher.notices():
                    print(f"tuitrace: {notice}", file=sys.stderr)
            lookup = enricher.get
        if options.format is ReportFormat.JSON:
            output = render_json(snapshot, lookup)
        elif options.format is ReportFormat.CSV:
            output = render_csv(snapshot, lookup)
        else:
            output = render_text(snapshot, lookup, numeric=options.numeric)
    sys.stdout.write(output)
    return 130 if interrupted else 0
