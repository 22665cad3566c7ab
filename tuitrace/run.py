"""Puts the pieces together for one invocation: network back-end, engine, enrichment, then UI or report."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

from tuitrace.config import TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.enrich.enricher import Enricher
from tuitrace.enrich.options import EnrichOptions, options_from_args
from tuitrace.probe.network import Network
from tuitrace.probe.rawnet import RawNetwork
from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import RealtimeSimNetwork
from tuitrace.probe.types import ProbeResult
from tuitrace.report.csv import render_csv
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text

ENRICH_GRACE = 3.0
"""Seconds a headless report waits at the end for lookups still in flight."""


def open_network(config: TraceConfig, ns: argparse.Namespace) -> Network:
    if ns.simulate:
        return RealtimeSimNetwork(load_scenario(ns.simulate))
    return RawNetwork(
        config.family, config.target, source=config.source, interface=config.interface, tos=config.tos
    )


def request_responders(enricher: Enricher) -> Callable[[ProbeResult], None]:
    """An engine listener that asks for enrichment once per new responder address."""
    seen: set[str] = set()

    def listener(result: ProbeResult) -> None:
        address = result.responder
        if address is not None and address not in seen:
            seen.add(address)
            enricher.request(address)

    return listener


def run(config: TraceConfig, ns: argparse.Namespace, argv: list[str]) -> int:
    network = open_network(config, ns)
    engine = Engine(config, network)
    enrich_options = options_from_args(ns, numeric=ns.numeric)
    if ns.report or ns.json or ns.csv:
        return run_report(engine, ns, enrich_options)
    from tuitrace.ui.app import run_tui  # Textual is only loaded for the UI
    from tuitrace.ui.options import UiOptions

    with Enricher(enrich_options) as enricher:
        engine.add_listener(request_responders(enricher))
        options = UiOptions(
            output_dir=Path(ns.output_dir),
            report_on_exit=ns.report_on_exit,
            numeric=ns.numeric,
            command_line=shlex.join(argv),
            enricher=enricher,
            user_port=ns.port,
        )
        return run_tui(engine, options)


def run_report(engine: Engine, ns: argparse.Namespace, enrich_options: EnrichOptions) -> int:
    with Enricher(enrich_options) as enricher:
        engine.add_listener(request_responders(enricher))
        interrupted = False
        try:
            engine.run()
        except KeyboardInterrupt:
            interrupted = True  # print what was measured so far: nothing the user waited for is lost
        finally:
            engine.stop()
        snapshot = engine.snapshot()
        enricher.wait_idle(ENRICH_GRACE)
        if enrich_options.geoip_paths:  # only problems with files the user named; --help tells the rest
            for notice in enricher.notices():
                print(f"tuitrace: {notice}", file=sys.stderr)
        if ns.json:
            output = render_json(snapshot, enricher.get)
        elif ns.csv:
            output = render_csv(snapshot, enricher.get)
        else:
            output = render_text(snapshot, enricher.get, numeric=ns.numeric)
    sys.stdout.write(output)
    return 130 if interrupted else 0
