"""Puts the pieces together for one invocation: network back-end, engine, enrichment, then UI or report.

It takes the typed options the command line built (:class:`~tuitrace.invocation.Invocation`), never argparse.

The order is the start-up's: the sockets open and the first round leaves (``Engine.begin``) before the
lookups, the report renderers or Textual are even imported, so the first replies arrive while Python
loads them and the screen shows them when it is up. Everything that runs later is imported before the
privilege drop (a Python the sudo user cannot read), and the drop comes before any other thread starts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import TYPE_CHECKING

from tuitrace.config import TraceConfig
from tuitrace.engine.first_round import send_first_round
from tuitrace.enrich.options import EnrichOptions, find_geoip_files
from tuitrace.errors import TuitraceError
from tuitrace.invocation import Invocation, NetworkChoice, ReplayInvocation, ReportFormat, VantageOptions
from tuitrace.lifecycle import require_terminal
from tuitrace.privileges import drop_privileges
from tuitrace.probe.backend import open_every_protocol, open_probing_network
from tuitrace.probe.network import Network
from tuitrace.probe.types import ProbeResult

if TYPE_CHECKING:
    from tuitrace.engine.engine import Engine
    from tuitrace.enrich.enricher import Enricher
    from tuitrace.probe.mda import MdaResult
    from tuitrace.replay.recorder import Recorder
    from tuitrace.vantage.remote import RemoteEngine


def starting_size(config: TraceConfig, choice: NetworkChoice) -> TraceConfig:
    """``--mtu`` without a packet length starts at the outgoing interface's MTU, as traceroute does."""
    if not config.mtu_discovery or config.packet_len or choice.scenario is not None:
        return config
    from tuitrace.probe.sockets import route_mtu

    mtu = route_mtu(config.family, config.target, config.source, config.interface)
    return dataclasses.replace(config, packet_len=mtu)


def open_network(config: TraceConfig, choice: NetworkChoice) -> Network:
    if choice.scenario is not None:
        from tuitrace.probe.simnet import RealtimeSimNetwork

        return RealtimeSimNetwork(choice.scenario, tcp_ports=max(1, config.flows),
                                  source_port=config.source_port)
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
    engine: Engine | RemoteEngine | None = None
    network: Network | None = None
    trace = invocation.trace
    if invocation.remote is not None:  # nothing is sent from here: ssh runs the trace over there
        engine = remote_engine(trace, invocation.remote)
    else:
        trace = starting_size(trace, invocation.network)
        network = open_network(trace, invocation.network)
        if trace.mda_confidence is None:
            first = send_first_round(trace, network)  # on the wire: what follows loads while replies come
            open_every_protocol(network)
            from tuitrace.engine.engine import Engine  # statistics and events load after the first probes

            engine = Engine(trace, network, first)
        else:  # --mda: discovery comes first, after the privilege drop (it parses packets), then the engine
            open_every_protocol(network)
            import_module("tuitrace.engine.discovery")
    # Load what runs later while we may still read everything (a root-only Python install, say): the
    # privilege drop comes before any other thread starts and before any file is written.
    enricher = open_enricher(invocation.enrich, always=report is None and not invocation.enrich.no_lookups)
    if enricher is not None:
        import_module("tuitrace.enrich.preload").preload_lookups()
    if invocation.record is not None:
        import_module("tuitrace.replay.recorder")
    if report is not None:
        headless = import_module("tuitrace.headless")
        drop_privileges()
        engine, mda = engine_after_drop(engine, trace, network)
        if enricher is not None:
            engine.add_listener(request_responders(enricher))
        with recording(engine, invocation) as recorder:
            reported: int = headless.run_report(engine, report, enricher, recorder, trace=trace, mda=mda)
        return reported
    ui = import_module("tuitrace.ui.app")
    check_theme(invocation.ui.theme)
    import_module("tuitrace.ui.preload").preload()
    drop_privileges()
    engine, _mda = engine_after_drop(engine, trace, network)
    if enricher is not None:
        engine.add_listener(request_responders(enricher))
    with enricher or contextlib.nullcontext(), recording(engine, invocation) as recorder:
        engine.take_arrived()  # the replies that came back while the interface loaded: on the first screen
        status = ui.run_tui(engine, dataclasses.replace(invocation.ui, enricher=enricher))
        if recorder is not None:
            recorder.close(engine.snapshot())
        return int(status)


def engine_after_drop(
    engine: Engine | RemoteEngine | None, trace: TraceConfig, network: Network | None,
) -> tuple[Engine | RemoteEngine, MdaResult | None]:
    """The engine made before the drop; with ``--mda``, discovery runs now and the trace then follows
    the flows it used (``None`` otherwise)."""
    if engine is not None:
        return engine, None
    assert network is not None and trace.mda_confidence is not None
    from tuitrace.engine.discovery import discover
    from tuitrace.engine.engine import Engine
    from tuitrace.probe.flows import FLOWS_MAX
    from tuitrace.probe.mda import MdaDiscovery

    result = discover(network, MdaDiscovery(trace, network.identity, trace.mda_confidence))
    flows = max(1, min(FLOWS_MAX, result.flows_used))
    return Engine(dataclasses.replace(trace, flows=flows), network, None, result), result


def remote_engine(trace: TraceConfig, remote: VantageOptions) -> RemoteEngine:
    from tuitrace.vantage.remote import RemoteEngine

    return RemoteEngine(remote.vantage, remote.remote_words, host=trace.host,
                        remote_command=remote.remote_command, ssh_config=remote.ssh_config)


@contextlib.contextmanager
def recording(engine: Engine | RemoteEngine, invocation: Invocation) -> Iterator[Recorder | None]:
    """``--record``: a recorder on the engine, flushed when the run finishes and closed after it (the file
    is created here, after the privilege drop, so it belongs to the user)."""
    path = invocation.record
    if path is None or invocation.remote is not None:  # the command line refuses --record with --from
        yield None
        return
    from tuitrace.engine.engine import Engine
    from tuitrace.lifecycle import flush_at_finish
    from tuitrace.replay.recorder import Recorder, open_for_writing

    assert isinstance(engine, Engine)
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
    from tuitrace.lifecycle import write_out
    from tuitrace.replay.engine import ReplayEngine
    from tuitrace.replay.reader import read_recording
    from tuitrace.report.csv import render_csv
    from tuitrace.report.json import render_json
    from tuitrace.report.text import render_text

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


def check_theme(name: str) -> None:
    """A theme that Textual does not have is a one-line error naming where it came from (the flag, or
    the key and the configuration file); checked once Textual is loaded, after the first probes left."""
    if not name:
        return
    problem = import_module("tuitrace.ui.themes").theme_problem(name)
    if problem is not None:
        where = str(getattr(name, "where", "--theme"))  # a settings_file.FileValue knows its key and file
        raise TuitraceError(f"{where}: {problem}")


def open_enricher(options: EnrichOptions, *, always: bool = False) -> Enricher | None:
    """The lookup service, or ``None`` when there is nothing it could look up (no DNS, no GeoIP file):
    then dnspython and asyncio are not even imported. The UI gets one whenever lookups are on (it says when
    places are missing and how to get them); with ``--no-lookups`` and no GeoIP file it shows addresses."""
    sends_queries = options.rdns_enabled or options.asn_enabled
    nothing = (
        not sends_queries and not options.geoip_paths and not find_geoip_files(options.geoip_search_dirs)
    )
    if nothing and not always:
        return None
    from tuitrace.enrich.enricher import Enricher

    return Enricher(options)
