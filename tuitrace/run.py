"""Puts the pieces together for one invocation: network back-end, engine, enrichment, then UI or report."""

from __future__ import annotations

import argparse
import contextlib
import shlex
import sys
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from tuitrace.config import Mode, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.enrich.options import EnrichOptions, find_geoip_files, options_from_args
from tuitrace.privileges import drop_privileges
from tuitrace.probe.backend import open_every_protocol, open_probing_network
from tuitrace.probe.network import Network
from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import RealtimeSimNetwork
from tuitrace.probe.types import ProbeResult
from tuitrace.report.csv import render_csv
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text

if TYPE_CHECKING:
    from tuitrace.enrich.enricher import Enricher

ENRICH_GRACE = 3.0
"""Seconds a headless report waits at the end for lookups still in flight."""


def open_network(config: TraceConfig, ns: argparse.Namespace) -> Network:
    if ns.simulate:
        return RealtimeSimNetwork(load_scenario(ns.simulate))
    mode = getattr(ns, "socket_mode", None)
    return open_probing_network(config, Mode(mode) if mode else None)


def request_responders(enricher: Enricher) -> Callable[[ProbeResult], None]:
    """An engine listener that keeps asking for enrichment: cheap while an answer is fresh, and how an expired
    name is refreshed or a failed lookup retried."""

    def listener(result: ProbeResult) -> None:
        if result.responder is not None:
            enricher.request(result.responder)

    return listener


def run(config: TraceConfig, ns: argparse.Namespace, argv: list[str]) -> int:
    network = open_network(config, ns)
    engine = Engine(config, network)
    open_every_protocol(network)
    enrich_options = options_from_args(ns, numeric=ns.numeric)
    report = ns.report or ns.json or ns.csv
    # Load what runs later while we may still read everything (a root-only Python install, say): the
    # privilege drop comes before any other thread starts and before any file is written.
    enricher = open_enricher(enrich_options, always=not report)
    ui = None if report else import_module("tuitrace.ui.app")
    drop_privileges()
    if ui is None:
        return run_report(engine, ns, enricher)
    from tuitrace.ui.options import UiOptions

    with enricher or contextlib.nullcontext():
        if enricher is not None:
            engine.add_listener(request_responders(enricher))
        options = UiOptions(
            output_dir=Path(ns.output_dir),
            report_on_exit=ns.report_on_exit,
            numeric=ns.numeric,
            command_line=shlex.join(argv),
            enricher=enricher,
            user_port=ns.port,
        )
        status: int = ui.run_tui(engine, options)
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


def run_report(engine: Engine, ns: argparse.Namespace, enricher: Enricher | None) -> int:
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
            if ns.geoip_db:  # only problems with files the user named; --help tells the rest
                for notice in enricher.notices():
                    print(f"tuitrace: {notice}", file=sys.stderr)
            lookup = enricher.get
        if ns.json:
            output = render_json(snapshot, lookup)
        elif ns.csv:
            output = render_csv(snapshot, lookup)
        else:
            output = render_text(snapshot, lookup, numeric=ns.numeric)
    sys.stdout.write(output)
    return 130 if interrupted else 0
