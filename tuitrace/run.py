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
from tuitrace.engine.discovery import discover
from tuitrace.engine.engine import Engine
from tuitrace.enrich.options import EnrichOptions, find_geoip_files
from tuitrace.invocation import Invocation, NetworkChoice, ReportFormat, ReportOptions
from tuitrace.lifecycle import (
    Interrupted,
    StopSignals,
    mark_partial_json,
    mark_partial_text,
    require_terminal,
    write_out,
)
from tuitrace.privileges import drop_privileges
from tuitrace.probe.backend import open_every_protocol, open_probing_network
from tuitrace.probe.flows import FLOWS_MAX
from tuitrace.probe.mda import MdaDiscovery, MdaResult
from tuitrace.probe.network import Network
from tuitrace.probe.simnet import RealtimeSimNetwork
from tuitrace.probe.types import ProbeResult
from tuitrace.report.csv import render_csv
from tuitrace.report.json import render_json
from tuitrace.report.stream import StreamWriter
from tuitrace.report.text import render_text

if TYPE_CHECKING:
    from tuitrace.enrich.enricher import Enricher

ENRICH_GRACE = 3.0
"""Seconds a headless report waits at the end for lookups still in flight."""


def open_network(config: TraceConfig, choice: NetworkChoice) -> Network:
    if choice.scenario is not None:
        return RealtimeSimNetwork(choice.scenario, tcp_ports=max(1, config.flows))
    return open_probing_network(config, choice.mode)


def request_responders(enricher: Enricher) -> Callable[[ProbeResult], None]:
    """An engine listener that keeps asking for enrichment: cheap while an answer is fresh, and how an expired
    name is refreshed or a failed lookup retried."""

    def listener(result: ProbeResult) -> None:
        if result.responder is not None:
            enricher.request(result.responder)

    return listener


def run(invocation: Invocation) -> int:
    report = invocation.report
    if report is None:
        require_terminal()
    network = open_network(invocation.trace, invocation.network)
    open_every_protocol(network)
    # Load what runs later while we may still read everything (a root-only Python install, say): the
    # privilege drop comes before any other thread starts and before any file is written.
    enricher = open_enricher(invocation.enrich, always=report is None)
    if enricher is not None:
        import_module("tuitrace.enrich.preload").preload_lookups()
    if report is not None:
        drop_privileges()
        engine, mda = start_engine(invocation.trace, network)
        return run_report(engine, report, enricher, mda)
    ui = import_module("tuitrace.ui.app")
    import_module("tuitrace.ui.preload").preload()
    drop_privileges()
    engine, _mda = start_engine(invocation.trace, network)
    with enricher or contextlib.nullcontext():
        if enricher is not None:
            engine.add_listener(request_responders(enricher))
        status: int = ui.run_tui(engine, dataclasses.replace(invocation.ui, enricher=enricher))
        return status


def start_engine(config: TraceConfig, network: Network) -> tuple[Engine, MdaResult | None]:
    """The engine for ``config``; with ``--mda``, discovery runs first (after the privilege drop, like
    every packet parser) and the trace then follows the flows it used."""
    if config.mda_confidence is None:
        return Engine(config, network), None
    result = discover(network, MdaDiscovery(config, network.identity, config.mda_confidence))
    flows = max(1, min(FLOWS_MAX, result.flows_used))
    return Engine(dataclasses.replace(config, flows=flows), network, result), result


def stream_to_stdout(engine: Engine) -> None:
    """``--stream``: rounds and events to standard output as they happen; a closed pipe (``| head``) ends
    the run quietly (the lines that were still to come go nowhere)."""
    closed = False

    def write(text: str) -> None:
        nonlocal closed
        if not closed and not write_out(text):
            closed = True
            engine.request_stop()

    writer = StreamWriter(engine.clock, write)
    engine.add_round_listener(writer.on_round)
    engine.add_event_listener(writer.on_event)


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


def run_report(
    engine: Engine, options: ReportOptions, enricher: Enricher | None, mda: MdaResult | None = None
) -> int:
    with StopSignals() as signals, enricher or contextlib.nullcontext():
        if enricher is not None:
            engine.add_listener(request_responders(enricher))
        if options.format is ReportFormat.STREAM:
            stream_to_stdout(engine)
        try:
            engine.run()
        except Interrupted:
            pass  # SIGINT, SIGTERM or SIGHUP: print what was measured so far, marked partial
        finally:
            signals.finish()
            engine.stop()
        snapshot = engine.snapshot()
        flows = engine.flows()
        lookup = None
        if enricher is not None:
            enricher.wait_idle(ENRICH_GRACE)
            if options.show_notices:  # only problems with files the user named; --help tells the rest
                for notice in enricher.notices():
                    print(f"tuitrace: {notice}", file=sys.stderr)
            lookup = enricher.get
        note = signals.partial_note(snapshot.rounds)
        if options.format is ReportFormat.STREAM:
            return signals.status()  # every line is out already
        if options.format is ReportFormat.JSON:
            output = mark_partial_json(render_json(snapshot, lookup, engine.events(), flows, mda), signals)
        elif options.format is ReportFormat.CSV:
            output = render_csv(snapshot, lookup, flows)
            if note:  # CSV has no place for it: the exit status and stderr say it
                write_out(f"tuitrace: {note}\n", sys.stderr)
        else:
            text = render_text(snapshot, lookup, options.numeric, engine.events(), flows=flows, mda=mda)
            output = mark_partial_text(text, note)
        write_out(output)
    return signals.status()
