"""Several targets in one run (``tuitrace HOST1 HOST2 ...``, ``--targets-file``): one engine per target.

Each target gets its own engine, thread and network back-end, exactly as when it is traced alone, so its
numbers are what a single trace would show. Replies cannot be credited to the wrong target even though
every raw ICMP socket of the process receives every ICMP message: a trace's matcher accepts an ICMP error
only when the probe it quotes went to that trace's target, and an echo reply or TCP answer only from that
target (:mod:`tuitrace.probe.matching`); the targets of one run are distinct addresses (a second name for
an address already listed is traced once), so no reply can name two traces. Another target's replies are
counted as dropped, like any foreign packet.

A target that cannot be traced (its name does not resolve, no route to it) is reported in its entry and
does not stop the others; the run fails (exit 2) only when no target could be traced at all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from tuitrace.engine.engine import Engine
from tuitrace.errors import TuitraceError
from tuitrace.headless import ENRICH_GRACE
from tuitrace.invocation import Invocation, ReportFormat, ReportOptions
from tuitrace.lifecycle import (
    Interrupted,
    StopSignals,
    mark_partial_json,
    mark_partial_text,
    require_terminal,
    write_out,
)
from tuitrace.privileges import drop_privileges
from tuitrace.probe.backend import open_every_protocol
from tuitrace.report.multi import TargetOutcome, measured, multi_csv, multi_json, multi_text
from tuitrace.run import open_enricher, open_network, remote_engine, request_responders
from tuitrace.vantage.remote import RemoteEngine

if TYPE_CHECKING:
    from tuitrace.enrich.enricher import Enricher
    from tuitrace.vantage.atlas_engine import AtlasEngine

EXIT_NONE_TRACED = 2
POLL_SECONDS = 0.05
"""How often the headless run looks whether every engine is done (signals interrupt the wait at once)."""


@dataclass(frozen=True, slots=True)
class TargetPlan:
    """One host of the run: how to trace it, or why it cannot be traced."""

    host: str
    invocation: Invocation | None
    error: str | None = None
    vantage: str = "local"
    """Where the trace runs: ``local``, the ``--from`` destination as given, or ``atlas:<probe id>``."""
    atlas: AtlasEngine | None = None
    """An Atlas probe's trace, already read (or a slot that ``--atlas-create``'s poller fills)."""


@dataclass(frozen=True, slots=True)
class TargetRun:
    """One host of the run once its network is open: its engine, or why there is none."""

    host: str
    engine: Engine | RemoteEngine | AtlasEngine | None
    error: str | None = None
    vantage: str = "local"


def open_targets(plans: Sequence[TargetPlan]) -> list[TargetRun]:
    """An engine per plan that has an invocation and whose network opens; the others keep their error."""
    runs: list[TargetRun] = []
    for plan in plans:
        if plan.atlas is not None:  # measured by RIPE Atlas: nothing to open here
            runs.append(TargetRun(plan.host, plan.atlas, None, plan.vantage))
            continue
        if plan.invocation is None:
            runs.append(TargetRun(plan.host, None, plan.error or "not traced", plan.vantage))
            continue
        if plan.invocation.remote is not None:  # ssh runs it; its failures show in its own tab
            runs.append(TargetRun(plan.host, remote_engine(plan.invocation.trace, plan.invocation.remote),
                                  None, plan.vantage))
            continue
        trace = plan.invocation.trace
        try:
            network = open_network(trace, plan.invocation.network)
        except TuitraceError as exc:
            runs.append(TargetRun(plan.host, None, str(exc)))
            continue
        engine = Engine(trace, network)
        open_every_protocol(network)
        runs.append(TargetRun(plan.host, engine))
    return runs


def none_traced(runs: Sequence[TargetRun]) -> int:
    """Say why no target could be traced (each different reason once) and return the exit status."""
    seen: set[str] = set()
    for run in runs:
        if run.error is not None and run.error not in seen:
            seen.add(run.error)
            write_out(f"tuitrace: {run.error}\n", sys.stderr)
    return EXIT_NONE_TRACED


def close_all(runs: Sequence[TargetRun]) -> None:
    for run in runs:
        if run.engine is not None:
            run.engine.stop()


def run_several(plans: Sequence[TargetPlan]) -> int:
    """Trace every planned target at once; the screen with tabs, or one report with an entry per target."""
    base = next((plan.invocation for plan in plans if plan.invocation is not None), None)
    if base is None:
        return none_traced([TargetRun(plan.host, None, plan.error) for plan in plans])
    report = base.report
    if report is None:
        require_terminal()
    runs = open_targets(plans)
    if not any(run.engine is not None for run in runs):
        return none_traced(runs)
    try:
        enricher = open_enricher(base.enrich, always=report is None)
        if enricher is not None:
            import_module("tuitrace.enrich.preload").preload_lookups()
        if report is not None:
            drop_privileges()
            return run_reports(runs, report, enricher)
        tabs = import_module("tuitrace.ui.tabs")
        import_module("tuitrace.ui.preload").preload()
        drop_privileges()
    except BaseException:
        close_all(runs)
        raise
    with enricher or contextlib.nullcontext():
        engines = [run.engine for run in runs if run.engine is not None]
        if enricher is not None:
            for engine in engines:
                engine.add_listener(request_responders(enricher))
        status: int = tabs.run_tabs(runs, dataclasses.replace(base.ui, enricher=enricher))
        return status


def wait_for_engines(engines: Sequence[Engine | RemoteEngine | AtlasEngine]) -> None:
    """Until every engine has run its rounds (or died); a stop signal raises ``Interrupted`` meanwhile."""
    while any(engine.running for engine in engines):
        time.sleep(POLL_SECONDS)


def nothing_shown(measured: Sequence[TargetOutcome]) -> bool:
    """No trace has a single round to show (every one failed before measuring)."""
    return all(o.snapshot is None or (o.error is not None and o.snapshot.rounds == 0) for o in measured)


def run_reports(runs: Sequence[TargetRun], options: ReportOptions, enricher: Enricher | None) -> int:
    engines = [run.engine for run in runs if run.engine is not None]
    with StopSignals() as signals, enricher or contextlib.nullcontext():
        if enricher is not None:
            for engine in engines:
                engine.add_listener(request_responders(enricher))
        try:
            for engine in engines:
                engine.start()
            wait_for_engines(engines)
        except Interrupted:
            pass  # SIGINT, SIGTERM or SIGHUP: print what was measured so far, marked partial
        finally:
            signals.finish()
            for engine in engines:
                engine.stop()
        for engine in engines:  # what happened to the connections of the traces that ran elsewhere
            if isinstance(engine, RemoteEngine):
                for message in engine.take_messages():
                    write_out(f"tuitrace: {message}\n", sys.stderr)
        lookup = None
        if enricher is not None:
            enricher.wait_idle(ENRICH_GRACE)
            if options.show_notices:
                for notice in enricher.notices():
                    print(f"tuitrace: {notice}", file=sys.stderr)
            lookup = enricher.get
        traced = measured(runs, lookup)
        rounds = max((o.snapshot.rounds for o in traced if o.snapshot is not None), default=0)
        note = signals.partial_note(rounds)
        if options.format is ReportFormat.JSON:
            output = mark_partial_json(multi_json(traced, lookup), signals)
        elif options.format is ReportFormat.CSV:
            output = multi_csv(traced, lookup)
            if note:
                write_out(f"tuitrace: {note}\n", sys.stderr)
        else:
            output = mark_partial_text(multi_text(traced, lookup, options.numeric), note)
        write_out(output)
    return EXIT_NONE_TRACED if nothing_shown(traced) else signals.status()
