"""Compare mode (``--compare icmp,udp,tcp:443``): one engine traces every setting in each round.

The engine is the ordinary one with compare mode's tracer (:mod:`tuitrace.probe.compare`): one network
back-end, one identity space, the settings' probes interleaved TTL by TTL. At the end (or live, on
screen) the settings' snapshots go to the comparison (:mod:`tuitrace.diagnose.compare`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import TYPE_CHECKING

from tuitrace.config import Setting
from tuitrace.diagnose.compare import Comparison, compare_paths
from tuitrace.engine.compare import CompareEngine
from tuitrace.engine.engine import Engine
from tuitrace.invocation import Invocation, ReportFormat, ReportOptions
from tuitrace.lifecycle import Interrupted, StopSignals, mark_partial_json, mark_partial_text, write_out
from tuitrace.privileges import drop_privileges
from tuitrace.probe.backend import open_every_protocol
from tuitrace.report.compare import compare_csv, compare_json, compare_text
from tuitrace.run import open_enricher, open_network, request_responders

if TYPE_CHECKING:
    from tuitrace.enrich.enricher import Enricher

ENRICH_GRACE = 3.0
"""Seconds the report waits at the end for lookups still in flight (as the ordinary report does)."""


def compare_engine(invocation: Invocation, settings: Sequence[Setting]) -> CompareEngine:
    """An engine whose rounds probe every one of ``settings`` (the first is the reference)."""
    config = dataclasses.replace(invocation.trace, setting=settings[0])
    network = open_network(config, invocation.network)
    try:
        open_every_protocol(network)
        return CompareEngine(config, network, settings)
    except BaseException:
        network.close()
        raise


def comparison_of(engine: Engine, settings: Sequence[Setting]) -> Comparison:
    return compare_paths({setting: engine.snapshot(setting) for setting in settings})


def run_compare(invocation: Invocation, settings: Sequence[Setting]) -> int:
    report = invocation.report
    if report is None:
        from tuitrace.lifecycle import require_terminal

        require_terminal()
    engine = compare_engine(invocation, settings)
    try:
        enricher = open_enricher(invocation.enrich, always=report is None)
        if enricher is not None:
            import_module("tuitrace.enrich.preload").preload_lookups()
        if report is not None:
            drop_privileges()
            return run_compare_report(engine, settings, report, enricher)
        screen = import_module("tuitrace.ui.compare")
        import_module("tuitrace.ui.preload").preload()
        drop_privileges()
    except BaseException:
        engine.stop()
        raise
    with enricher or contextlib.nullcontext():
        if enricher is not None:
            engine.add_listener(request_responders(enricher))
        status: int = screen.run_compare_tui(engine, tuple(settings),
                                             dataclasses.replace(invocation.ui, enricher=enricher))
        return status


def run_compare_report(
    engine: Engine, settings: Sequence[Setting], options: ReportOptions, enricher: Enricher | None
) -> int:
    with StopSignals() as signals, enricher or contextlib.nullcontext():
        if enricher is not None:
            engine.add_listener(request_responders(enricher))
        try:
            engine.run()
        except Interrupted:
            pass
        finally:
            signals.finish()
            engine.stop()
        lookup = None
        if enricher is not None:
            enricher.wait_idle(ENRICH_GRACE)
            lookup = enricher.get
        reference = engine.snapshot(settings[0])
        comparison = comparison_of(engine, settings)
        note = signals.partial_note(reference.rounds)
        if options.format is ReportFormat.JSON:
            output = mark_partial_json(compare_json(comparison, reference, lookup, engine.events()), signals)
        elif options.format is ReportFormat.CSV:
            output = compare_csv(comparison, reference)
            if note:
                write_out(f"tuitrace: {note}\n", sys.stderr)
        else:
            output = mark_partial_text(compare_text(comparison, reference), note)
        write_out(output)
    return signals.status()
