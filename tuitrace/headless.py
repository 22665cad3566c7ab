"""The runs without a screen: ``--report``, ``--json``, ``--csv`` at the end, or ``--stream`` as it goes.

Apart from :mod:`tuitrace.run` so that a live screen's start-up does not load the report renderers, and a
report's start-up does not load them before its first probes are on the wire (``run`` imports this
module after ``Engine.begin``, still before the privilege drop).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from tuitrace.config import TraceConfig
from tuitrace.engine.commands import command_lines, follow_commands
from tuitrace.engine.engine import Engine
from tuitrace.invocation import ReportFormat, ReportOptions
from tuitrace.lifecycle import Interrupted, StopSignals, mark_partial_json, mark_partial_text, write_out
from tuitrace.report.csv import render_csv
from tuitrace.report.graph import labelled_topology
from tuitrace.report.graph_files import write_graph_files_or_say
from tuitrace.report.json import render_json
from tuitrace.report.privacy import (
    Privacy,
    hidden_lookup,
    redact_event,
    redact_events,
    redact_round,
    redact_snapshot,
)
from tuitrace.report.stream import StreamWriter, error_line, start_line
from tuitrace.report.text import render_text
from tuitrace.vantage.remote import RemoteEngine

if TYPE_CHECKING:
    from tuitrace.enrich.enricher import Enricher
    from tuitrace.probe.mda import MdaResult
    from tuitrace.replay.recorder import Recorder
    from tuitrace.report.model import Lookup
    from tuitrace.stats.flowbook import FlowsSnapshot
    from tuitrace.stats.snapshot import TraceSnapshot

EXIT_GRAPH_FAILED = 2
"""``--dot`` or ``--mermaid`` could not be written at the end (the report was printed)."""
EXIT_REMOTE_FAILED = 2
"""``--from``'s remote trace could not run (the one-line reason is on stderr)."""

ENRICH_GRACE = 3.0
"""Seconds a headless report waits at the end for lookups still in flight."""


def stream_to_stdout(engine: Engine, privacy: Privacy | None = None,
                     trace: TraceConfig | None = None) -> None:
    """``--stream``: rounds and events to standard output as they happen; a closed pipe (``| head``) ends
    the run quietly (the lines that were still to come go nowhere). ``privacy`` hides what it says."""
    closed = False

    def write(text: str) -> None:
        nonlocal closed
        if not closed and not write_out(text):
            closed = True
            engine.request_stop()

    writer = StreamWriter(engine.clock, write)
    if privacy is None or not privacy.active or trace is None:
        write(start_line(engine.snapshot()))
        engine.add_round_listener(writer.on_round)
        engine.add_event_listener(writer.on_event)
    else:
        private, target, host = privacy, trace.target, trace.host
        write(start_line(redact_snapshot(engine.snapshot(), private)))
        engine.add_round_listener(lambda record: writer.on_round(redact_round(record, private, target)))
        engine.add_event_listener(lambda event: writer.on_event(redact_event(event, private, target, host)))
    if sys.stdin is not None and not sys.stdin.isatty():  # reading a terminal stops a background run
        threading.Thread(target=follow_standard_input, name="tuitrace-commands", daemon=True,
                         args=(engine, lambda message: write(error_line(message)))).start()


def follow_standard_input(engine: Engine, refuse: Callable[[str], object]) -> None:
    """``--stream``'s commands (:mod:`tuitrace.engine.commands`), read unbuffered from a copy of descriptor
    0: a daemon thread blocked in a buffered read of ``sys.stdin`` can abort the interpreter at exit."""
    try:
        with io.FileIO(os.dup(sys.stdin.fileno()), "r") as raw:
            follow_commands(command_lines(raw), engine, engine.request_stop, refuse)
    except (OSError, ValueError):
        pass  # standard input or the engine went away: the trace goes on, or is ending anyway


def run_report(engine: Engine | RemoteEngine, options: ReportOptions, enricher: Enricher | None,
               recorder: Recorder | None = None, *, trace: TraceConfig | None = None,
               mda: MdaResult | None = None) -> int:
    """Probe in this thread until the rounds are done or a stop signal, then print the report."""
    with StopSignals() as signals, enricher or contextlib.nullcontext():
        if options.format is ReportFormat.STREAM:
            assert isinstance(engine, Engine), "the command line refuses --stream with --from"
            stream_to_stdout(engine, options.privacy, trace)
        try:
            engine.run()
        except Interrupted:
            pass  # SIGINT, SIGTERM or SIGHUP: print what was measured so far, marked partial
        finally:
            signals.finish()
            engine.stop()
        if isinstance(engine, RemoteEngine):
            for message in engine.take_messages():
                write_out(f"tuitrace: {message}\n", sys.stderr)
            if engine.error is not None:  # refused, or no tuitrace there: nothing was measured
                write_out(f"tuitrace: {engine.error}\n", sys.stderr)
                return EXIT_REMOTE_FAILED
        snapshot = engine.snapshot()
        flows = engine.flows() if isinstance(engine, Engine) else None
        if recorder is not None:
            recorder.close(snapshot)
        real = snapshot
        events = redact_events(engine.events(), snapshot, options.privacy)
        snapshot = redact_snapshot(snapshot, options.privacy)
        lookup = None
        if enricher is not None:
            enricher.wait_idle(ENRICH_GRACE)
            if options.show_notices:  # only problems with files the user named; --help tells the rest
                for notice in enricher.notices():
                    print(f"tuitrace: {notice}", file=sys.stderr)
            lookup = hidden_lookup(enricher.get)
        graphs_written = write_graphs(options, real, flows, None if options.numeric else lookup)
        if options.privacy.active:  # flows, paths and MDA hops name every router: left out, as on screen
            flows, mda = None, None
        note = signals.partial_note(snapshot.rounds)
        if options.format is ReportFormat.STREAM:
            return signals.status() if graphs_written else EXIT_GRAPH_FAILED  # every line is out already
        if options.format is ReportFormat.JSON:
            output = mark_partial_json(render_json(snapshot, lookup, events, flows, mda), signals)
        elif options.format is ReportFormat.CSV:
            output = render_csv(snapshot, lookup, flows)
            if note:  # CSV has no place for it: the exit status and stderr say it
                write_out(f"tuitrace: {note}\n", sys.stderr)
        else:
            text = render_text(snapshot, lookup, options.numeric, events, flows=flows, mda=mda)
            output = mark_partial_text(text, note)
        write_out(output)
    return signals.status() if graphs_written else EXIT_GRAPH_FAILED


def write_graphs(options: ReportOptions, snapshot: TraceSnapshot, flows: FlowsSnapshot | None,
                 lookup: Lookup | None) -> bool:
    """``--dot`` / ``--mermaid`` at the end of the run, with the report's names and privacy; a file that
    cannot be written is one line on stderr (the report still prints). False when one failed."""
    if not options.graphs.wanted:
        return True
    topology = labelled_topology(snapshot, flows, options.privacy, lookup)
    return write_graph_files_or_say(options.graphs, topology)
