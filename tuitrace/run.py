"""Puts the pieces together for one invocation: network back-end, engine, enrichment, then UI or report.

It takes the typed options the command line built (:class:`~tuitrace.invocation.Invocation`), never argparse.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import TYPE_CHECKING

from tuitrace.config import TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.enrich.options import EnrichOptions, find_geoip_files
from tuitrace.invocation import Invocation, NetworkChoice, ReplayInvocation, ReportFormat, ReportOptions
from tuitrace.lifecycle import (
    Interrupted,
    StopSignals,
    flush_at_finish,
    mark_partial_json,
    mark_partial_text,
    require_terminal,
    write_out,
)
from tuitrace.privileges import drop_privileges
from tuitrace.probe.backend import open_every_protocol, open_probing_network
from tuitrace.probe.network import Network
from tuitrace.probe.simnet import RealtimeSimNetwork
from tuitrace.probe.types import ProbeResult
from tuitrace.replay.engine import ReplayEngine
from tuitrace.replay.reader import read_recording
from tuitrace.replay.recorder import Recorder, open_for_writing
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
        return RealtimeSimNetwork(choice.scenario)
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
    engine = Engine(invocation.trace, network)
    open_every_protocol(network)
    # Load what runs later while we may still read everything (a root-only Python install, say): the
    # privilege drop comes before any other thread starts and before any file is written.
    enricher = open_enricher(invocation.enrich, always=report is None)
    if enricher is not None:
        import_module("tuitrace.enrich.preload").preload_lookups()
    if report is not None:
        drop_privileges()
        with recording(engine, invocation) as recorder:
            return run_report(engine, report, enricher, recorder)
    ui = import_module("tuitrace.ui.app")
    import_module("tuitrace.ui.preload").preload()
    drop_privileges()
    with enricher or contextlib.nullcontext(), recording(engine, invocation) as recorder:
        if enricher is not None:
            engine.add_listener(request_responders(enricher))
        status = ui.run_tui(engine, dataclasses.replace(invocation.ui, enricher=enricher))
        if recorder is not None:
            recorder.close(engine.snapshot())
        return int(status)


@contextlib.contextmanager
def recording(engine: Engine, invocation: Invocation) -> Iterator[Recorder | None]:
    """``--record``: a recorder on the engine, flushed when the run finishes and closed after it (the file
    is created here, after the privilege drop, so it belongs to the user)."""
    path = invocation.record
    if path is None:
        yield None
        return
    recorder = Recorder(open_for_writing(path), invocation.trace, engine.clock, engine.snapshot().mode.value,
                        invocation.ui.command_line)
    engine.set_recorder(recorder)
    try:
        with flush_at_finish(recorder.flush):
            yield recorder
    finally:
        recorder.close()  # after the end record (harmless then), or what was written when something failed


def run_replay(invocation: ReplayInvocation) -> int:
    """``--replay``/``--demo``: no network, no lookups, no privileges; one line on stderr when the file
    stops early."""
    recording_ = read_recording(invocation.source, invocation.name)
    engine = ReplayEngine(recording_)
    report = invocation.report
    status = 0
    if report is None:
        require_terminal()
        ui = import_module("tuitrace.ui.app")
        label = f"replay of {recording_.header.mode}"  # the header says what is shown is not live
        status = int(ui.run_tui(engine, dataclasses.replace(invocation.ui, mode_label=label)))
    else:
        engine.run_to_end()
        snapshot = engine.snapshot()
        if report.format is ReportFormat.JSON:
            output = render_json(snapshot, None, engine.events())
        elif report.format is ReportFormat.CSV:
            output = render_csv(snapshot, None)
        else:
            output = render_text(snapshot, None, report.numeric, engine.events())
        write_out(output)
    if recording_.damage is not None:
        write_out(f"tuitrace: {recording_.name} is damaged at {recording_.damage}; replayed up to there\n",
                  sys.stderr)
    return status


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


def run_report(engine: Engine, options: ReportOptions, enricher: Enricher | None,
               recorder: Recorder | None = None) -> int:
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
        if recorder is not None:
            recorder.close(snapshot)
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
            output = mark_partial_json(render_json(snapshot, lookup, engine.events()), signals)
        elif options.format is ReportFormat.CSV:
            output = render_csv(snapshot, lookup)
            if note:  # CSV has no place for it: the exit status and stderr say it
                write_out(f"tuitrace: {note}\n", sys.stderr)
        else:
            output = mark_partial_text(render_text(snapshot, lookup, options.numeric, engine.events()), note)
        write_out(output)
    return signals.status()
