"""The command line: turns argv into typed options (an :class:`~tuitrace.invocation.Invocation`) and runs it.

The grammar is in :mod:`tuitrace.arguments`, the checks of names and addresses in :mod:`tuitrace.targets`,
the checks of named files in :mod:`tuitrace.userfiles`; here the parsed words become one frozen value per
concern, and the ``Namespace`` goes no further. Every mistake (a bad option value, a host that does not
resolve, a file that cannot be used, missing privileges) ends in one line on stderr naming the problem,
with exit status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tuitrace import defaults
from tuitrace.arguments import EXIT_USAGE, OneLineParser, build_parser
from tuitrace.comparespec import compare_settings
from tuitrace.config import Mode, Protocol, Setting, TraceConfig, port_for
from tuitrace.enrich.options import GEOIP_ENV, EnrichOptions, geoip_paths_from_env, parse_dns_server
from tuitrace.errors import TuitraceError, plain_os_error
from tuitrace.invocation import (
    Invocation,
    NetworkChoice,
    ReplayInvocation,
    ReportFormat,
    ReportOptions,
    VantageOptions,
)
from tuitrace.privileges import sudo_user
from tuitrace.probe.scenario import Scenario, ScenarioError, load_scenario
from tuitrace.report.graph import GraphFiles
from tuitrace.report.privacy import Privacy
from tuitrace.settings_file import PRINT_OPTION, FileValue, Settings, load_settings, template
from tuitrace.targetlist import looks_like_length, read_targets_file
from tuitrace.targets import check_interface, check_target, local_source, resolve
from tuitrace.ui.options import UiOptions
from tuitrace.ui.widgets.hop_columns import DEFAULT_KEYS, parse_fields
from tuitrace.userfiles import check_output_dir, check_output_file, geoip_file_problem
from tuitrace.vantage.ssh import Vantage, parse_vantage

if TYPE_CHECKING:  # loaded only for --simulate: the command line's import path stays short
    from tuitrace.probe.scenario import Scenario

DEFAULT_OUTPUT_DIR = Path("screenshots")

Warn = Callable[[str], None]


def _number(text: str | None, bound: defaults.Bound) -> float | None:
    """An option's value checked against its bound; ``None`` when the option was not given."""
    if text is None:
        return None
    try:
        return bound.parse(text)
    except ValueError as exc:
        raise TuitraceError(str(exc)) from None


def _whole(text: str | None, bound: defaults.Bound, default: int) -> int:
    value = _number(text, bound)
    return default if value is None else int(value)


def _real(text: str | None, bound: defaults.Bound, default: float) -> float:
    value = _number(text, bound)
    return default if value is None else float(value)


def setting_from_args(ns: argparse.Namespace) -> Setting:
    kind = ns.protocol or "icmp"
    value = _number(ns.port, defaults.PORT)
    user_port = None if value is None else int(value)
    if kind == "icmp":
        if user_port is not None and not isinstance(ns.port, FileValue):  # the file's port waits for u/t
            raise TuitraceError("-p needs a port-based protocol: add -U, -T or -P udp/tcp")
        return Setting(Protocol.ICMP, None)
    protocol = Protocol.TCP if kind == "tcp" else Protocol.UDP
    return Setting(protocol, port_for(protocol, user_port, fixed_udp=kind == "udp-fixed"))


def source_port_from_args(ns: argparse.Namespace, setting: Setting) -> int | None:
    """``--sport``: only for probes with ports (a file's value waits for u/t, as its ``-p`` does)."""
    value = _number(getattr(ns, "sport", None), defaults.SOURCE_PORT)
    if value is None:
        return None
    if setting.protocol is Protocol.ICMP and not isinstance(ns.sport, FileValue):
        raise TuitraceError("--sport needs a port-based protocol: add -U, -T or -P udp/tcp")
    return int(value)


def report_format(ns: argparse.Namespace) -> ReportFormat | None:
    """The headless report asked for, or ``None`` for the interactive screen."""
    if ns.stream:
        if ns.json or ns.csv or ns.report:
            raise TuitraceError("--stream writes its own lines: leave out --report, --json and --csv")
        return ReportFormat.STREAM
    if ns.json:
        return ReportFormat.JSON
    if ns.csv:
        return ReportFormat.CSV
    return ReportFormat.TEXT if ns.report else None


def rounds(ns: argparse.Namespace) -> int | None:
    value = _number(ns.count, defaults.COUNT)
    if value is not None:
        return int(value)
    fmt = report_format(ns)
    if fmt is None or fmt is ReportFormat.STREAM:  # the screen and a stream run until stopped
        return None
    return defaults.REPORT_DEFAULT_ROUNDS


def packet_length(ns: argparse.Namespace) -> int:
    """``--packet-size`` or traceroute's second positional argument (not both)."""
    if ns.packet_len is not None and isinstance(ns.packet_size, FileValue):
        return _whole(ns.packet_len, defaults.PACKET_LEN, defaults.PACKET_LEN_BYTES)  # typed wins
    if ns.packet_len is not None and ns.packet_size is not None:
        raise TuitraceError("give the packet length once: as the second argument or with --packet-size")
    text = ns.packet_size if ns.packet_size is not None else ns.packet_len
    return _whole(text, defaults.PACKET_LEN, defaults.PACKET_LEN_BYTES)


def load_simulation(path: str) -> Scenario:
    """The scenario file named, or one tuitrace ships (``--simulate linear_v4``) when no such file exists."""
    if not Path(path).exists():
        from tuitrace.replay.assets import shipped_scenario

        path = shipped_scenario(path) or path
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise TuitraceError(str(exc)) from None


def trace_config(ns: argparse.Namespace, scenario: Scenario | None) -> TraceConfig:
    """What to trace: the option values are checked first, then the target and source are resolved and
    checked (a simulation's scenario names both: HOST is only a label there)."""
    first = _whole(ns.first_hop, defaults.FIRST_HOP, defaults.FIRST_TTL)
    last = _whole(ns.max_hops, defaults.MAX_HOPS, defaults.MAX_TTL)
    if first > last:
        raise TuitraceError(f"first hop {first} is beyond max hops {last}")
    setting = setting_from_args(ns)
    sendwait = defaults.sendwait_seconds(_real(ns.sendwait, defaults.SENDWAIT, defaults.SENDWAIT_S))
    interval = _real(ns.interval, defaults.INTERVAL, defaults.INTERVAL_S)
    wait = _real(ns.wait, defaults.WAIT, defaults.WAIT_S)
    count = rounds(ns)
    tos = _whole(ns.tos, defaults.TOS, defaults.TOS_VALUE)
    size = packet_length(ns)
    queries = _whole(ns.queries, defaults.QUERIES, defaults.QUERIES_VALUE)
    flows = _whole(ns.flows, defaults.FLOWS, 0)
    if ns.confidence is not None and not ns.mda:
        raise TuitraceError("--confidence needs --mda")
    if ns.mda and flows:
        raise TuitraceError("--mda chooses its own flows: leave out --flows")
    if (ns.mda or flows) and getattr(ns, "record", None) is not None:
        raise TuitraceError("--record keeps no flow statistics yet: leave out --flows/--mda to record")
    confidence = int(ns.confidence or 95) if ns.mda else None
    source_port = source_port_from_args(ns, setting)
    source = interface = None
    if scenario is not None:
        address, family = scenario.target, scenario.family
    elif ns.vantages and ns.no_local:  # the remote host resolves the name, from where it is
        address, family = ns.host, ns.family or 4
    else:
        address, family = resolve(ns.host, ns.family)
        check_target(ns.host, address, family)
        source = local_source(ns.source, family) if ns.source else None
        if ns.interface:
            check_interface(ns.interface)
            interface = ns.interface
    return TraceConfig(
        target=address,
        family=family,
        host=ns.host,
        setting=setting,
        first_ttl=first,
        max_ttl=last,
        interval=interval,
        sendwait=sendwait,
        wait=wait,
        count=count,
        source=source,
        interface=interface,
        tos=tos,
        packet_len=size,
        queries=queries,
        dont_fragment=ns.dont_fragment,
        mtu_discovery=ns.mtu,
        flows=flows,
        mda_confidence=confidence,
        source_port=source_port,
    )


def enrich_options(
    ns: argparse.Namespace, *, simulated: bool, environ: Mapping[str, str], warn: Warn
) -> EnrichOptions:
    """The lookups asked for. GeoIP files named with ``--geoip-db`` must be usable (else an error); one in
    ``$TUITRACE_GEOIP_DB`` that is not is skipped with one warning. A simulation sends no query unless
    a resolver is named (``--dns-server``): its addresses are made up."""
    server = ns.dns_server
    if server is not None:
        try:
            parse_dns_server(server)
        except ValueError as exc:
            raise TuitraceError(f"--dns-server: {exc}") from None
    for path in ns.geoip_db:
        problem = geoip_file_problem(path)
        if problem is not None:
            raise TuitraceError(f"--geoip-db {path} {problem}")
    from_env = []
    for path in geoip_paths_from_env(environ):
        problem = geoip_file_problem(path)
        if problem is None:
            from_env.append(path)
        else:
            warn(f"skipping GeoIP database {path} from ${GEOIP_ENV}: it {problem}")
    return EnrichOptions(
        dns=not ns.numeric,
        asn=not ns.no_asn,
        dns_server=None if server is None else server.strip(),
        geoip_paths=(*ns.geoip_db, *from_env),
        lookup_private=ns.lookup_private,
        no_lookups=ns.no_lookups or (simulated and server is None),
    )


def network_choice(ns: argparse.Namespace, scenario: Scenario | None) -> NetworkChoice:
    return NetworkChoice(mode=Mode(ns.socket_mode) if ns.socket_mode else None, scenario=scenario)


def privacy(ns: argparse.Namespace) -> Privacy:
    """``--privacy N`` and ``--hide-target``."""
    return Privacy(hops=_whole(ns.privacy_hops, defaults.PRIVACY_HOPS, 0), hide_target=ns.hide_target)


def fields(ns: argparse.Namespace) -> tuple[str, ...]:
    if ns.fields is None:
        return DEFAULT_KEYS
    try:
        return parse_fields(ns.fields)
    except ValueError as exc:
        raise TuitraceError(f"--fields: {exc}") from None


def graph_files(ns: argparse.Namespace) -> GraphFiles:
    """``--dot`` and ``--mermaid``: checked now, written at the end (by the user after a sudo drop)."""
    files = GraphFiles(dot=None if ns.dot is None else Path(ns.dot),
                       mermaid=None if ns.mermaid is None else Path(ns.mermaid))
    as_user = sudo_user(os.environ) if os.geteuid() == 0 else None
    for flag, path in (("--dot", files.dot), ("--mermaid", files.mermaid)):
        if path is not None:
            check_output_file(path, flag, as_user)
    if files.dot is not None and files.dot == files.mermaid:
        raise TuitraceError("--dot and --mermaid name the same file: give each its own")
    return files


def ui_options(ns: argparse.Namespace, command_line: Sequence[str], *, interactive: bool) -> UiOptions:
    """The screen's options; an ``--output-dir`` given for the screen is checked now, not at the first
    screenshot (the default directory is created when first used, wherever tuitrace was started)."""
    output_dir = DEFAULT_OUTPUT_DIR if ns.output_dir is None else Path(ns.output_dir)
    if interactive and ns.output_dir is not None:
        check_output_dir(output_dir, sudo_user(os.environ) if os.geteuid() == 0 else None)
    port = _number(ns.port, defaults.PORT)
    return UiOptions(
        output_dir=output_dir,
        report_on_exit=ns.report_on_exit,
        numeric=ns.numeric,
        command_line=shlex.join(command_line),
        user_port=None if port is None else int(port),
        theme=ns.theme or "",
        fields=fields(ns),
        privacy=privacy(ns),
        graphs=graph_files(ns) if interactive else GraphFiles(),
    )


def atlas_given(ns: argparse.Namespace) -> bool:
    """``--atlas``, ``--atlas-file`` or ``--atlas-create``: RIPE Atlas traces join the run."""
    return bool(getattr(ns, "atlas_measurement", None) or getattr(ns, "atlas_file", None)
                or getattr(ns, "atlas_create", False))


def check_vantage(ns: argparse.Namespace) -> list[Vantage]:
    """``--from``'s own checks, before anything is resolved here (the name may exist only over there)."""
    if not ns.vantages:
        if ns.no_local and not atlas_given(ns):
            raise TuitraceError("--no-local needs --from [USER@]HOST: there is no other trace to show")
        return []
    if ns.simulate:
        raise TuitraceError("--simulate traces a made-up path here: leave it out with --from")
    if report_format(ns) is ReportFormat.STREAM:
        raise TuitraceError("--stream with --from: run tuitrace --stream on that host itself")
    if ns.record is not None:
        raise TuitraceError("--record with --from is not built yet: record on that host with --record there")
    try:
        words = shlex.split(ns.remote_command)
    except ValueError as exc:  # an unclosed quote: shlex's "No closing quotation"
        raise TuitraceError(f"--remote-command {ns.remote_command!r}: {str(exc).lower()}") from None
    if not words:
        raise TuitraceError("--remote-command needs the command that starts tuitrace there")
    try:
        return [parse_vantage(text) for text in ns.vantages]
    except ValueError as exc:
        raise TuitraceError(str(exc)) from None


def vantage_problem(text: str) -> str | None:
    """What is wrong with one ``--from-file`` line, or ``None``."""
    try:
        parse_vantage(text)
    except ValueError as exc:
        return str(exc).split(": ", 1)[1]
    return None


def add_vantages_from_file(ns: argparse.Namespace) -> None:
    """``--from-file``: its lines join the ``--from`` destinations (once: the namespace keeps them)."""
    if ns.from_file is not None:
        ns.vantages = [*ns.vantages, *read_targets_file(ns.from_file, "--from-file", vantage_problem,
                                                        "[USER@]HOST[:PORT]")]
        ns.from_file = None


def one_remote(ns: argparse.Namespace) -> bool:
    """``--from HOST --no-local``: the run is that one remote trace, on the usual single screen."""
    return len(ns.vantages) == 1 and ns.no_local


def remote_options(ns: argparse.Namespace, trace: TraceConfig) -> VantageOptions | None:
    """``--from``: the checked values of this command line as the remote ``--stream``'s arguments (the
    remote host resolves the name); what only makes sense here (names, files, output) stays here."""
    vantages = check_vantage(ns)
    if not vantages or not one_remote(ns):
        return None
    (vantage,) = vantages
    kind = ns.protocol or "icmp"
    words = ["-U"] if kind == "udp-fixed" else ["-P", kind]
    if trace.setting.port is not None and ns.port is not None:
        words += ["-p", str(trace.setting.port)]
    if ns.family:
        words.append(f"-{ns.family}")
    words += ["-z", f"{trace.sendwait:g}", "-w", f"{trace.wait:g}", "-i", f"{trace.interval:g}",
              "-f", str(trace.first_ttl), "-m", str(trace.max_ttl), "-t", str(trace.tos),
              "--packet-size", str(trace.packet_len)]
    if trace.count is not None:
        words += ["-c", str(trace.count)]
    if trace.source_port is not None:
        words += ["--sport", str(trace.source_port)]
    if ns.socket_mode:
        words.append(f"--{ns.socket_mode}")
    words += ["-n", "--no-lookups", "--", ns.host]
    return VantageOptions(vantage, tuple(words), ns.ssh_config, ns.remote_command)


def invocation_from_args(
    ns: argparse.Namespace,
    command_line: Sequence[str],
    environ: Mapping[str, str] | None = None,
    warn: Warn | None = None,
) -> Invocation:
    """Every typed option of one run; ``TuitraceError`` (one line) for the first thing that is wrong."""
    env = os.environ if environ is None else environ
    scenario = load_simulation(ns.simulate) if ns.simulate else None
    fmt = report_format(ns)
    check_vantage(ns)
    trace = trace_config(ns, scenario)
    enrich = enrich_options(ns, simulated=scenario is not None, environ=env, warn=warn or _warn)
    report = None
    if fmt is not None:
        report = ReportOptions(format=fmt, numeric=ns.numeric, show_notices=bool(ns.geoip_db),
                               privacy=privacy(ns), graphs=graph_files(ns))
    return Invocation(
        trace=trace,
        network=network_choice(ns, scenario),
        enrich=enrich,
        ui=replace(ui_options(ns, command_line, interactive=fmt is None), lookups=not enrich.no_lookups),
        report=report,
        remote=remote_options(ns, trace),
        record=None if ns.record is None else Path(ns.record),
    )


def replay_invocation(ns: argparse.Namespace, command_line: Sequence[str]) -> ReplayInvocation:
    """``--replay FILE`` or ``--demo``: a recording instead of a target."""
    if ns.host is not None:
        raise TuitraceError("--replay and --demo trace nothing: leave out HOST")
    if ns.record is not None:
        raise TuitraceError("--record writes a live trace: it cannot record a replay")
    if ns.stream:
        raise TuitraceError("--stream is for live traces: use --json to print a recording's report")
    if ns.dot is not None or ns.mermaid is not None:
        raise TuitraceError("--dot and --mermaid draw a live trace: leave them out with --replay and --demo")
    fmt = report_format(ns)
    report = None if fmt is None else ReportOptions(format=fmt, numeric=ns.numeric)
    ui = ui_options(ns, command_line, interactive=fmt is None)
    if ns.demo:
        from tuitrace.replay.assets import demo_recording

        return ReplayInvocation(demo_recording(), "the demo recording", ui, report)
    return ReplayInvocation(Path(ns.replay), ns.replay, ui, report)


def _warn(text: str) -> None:
    print(f"tuitrace: {text}", file=sys.stderr)


def several_targets(ns: argparse.Namespace) -> bool:
    """More than ``HOST [PACKET_LEN]`` on the command line, ``--targets-file``, or ``--from`` beside the local
    trace or another ``--from``: maybe several traces
    (:mod:`tuitrace.multitarget` decides, and hands back a single host to the usual run)."""
    return bool(ns.more_hosts) or ns.targets_file is not None or ns.host is None or (
        ns.packet_len is not None and not looks_like_length(ns.packet_len)) or (
        bool(ns.vantages) and not one_remote(ns)) or atlas_given(ns)


LOCAL_CHECK_HOST = "127.0.0.1"
"""The target the configuration file's values are checked with (a number: no name is looked up)."""


def check_settings(parser: OneLineParser, settings: Settings) -> None:
    """The file's values alone must make a valid run: else one line naming the file, and the key when
    one key alone is wrong (the same checks as the command line's, so a later option is checked too).
    Called before the file's values become the parser's defaults; leaves the parser as it found it."""
    if settings.path is None:
        return
    originals = {dest: parser.get_default(dest) for dest in settings.values}

    def problem(values: Mapping[str, object]) -> str | None:
        parser.set_defaults(**originals)
        parser.set_defaults(**values)
        try:
            invocation_from_args(parser.parse_words([LOCAL_CHECK_HOST]), [], environ={}, warn=lambda _: None)
        except TuitraceError as exc:
            return str(exc)
        finally:
            parser.set_defaults(**originals)
        return None

    whole = problem(settings.values)
    if whole is None:
        return
    flags = {action.dest: action.option_strings for action in parser._actions}
    for dest, key in settings.keys.items():
        alone = problem({dest: settings.values[dest]})
        if alone is not None:  # "-i must be ≥ 0.001 s" becomes "interval must be ≥ 0.001 s"
            flag = next((flag for flag in flags.get(dest, []) if alone.startswith(flag + " ")), None)
            text = key + alone.removeprefix(flag) if flag else f"{key}: {alone}"
            raise TuitraceError(f"{settings.path}: {text}")
    raise TuitraceError(f"{settings.path}: {whole}")


def parse_with_settings(words: Sequence[str], environ: Mapping[str, str]) -> argparse.Namespace | None:
    """The command line over the configuration file's values; ``None`` when ``--print-config`` printed."""
    parser = build_parser()
    if PRINT_OPTION in words[: words.index("--") if "--" in words else len(words)]:
        print(template(parser))
        return None
    settings = load_settings(parser, words, environ)
    check_settings(parser, settings)
    parser.set_defaults(**settings.values)
    return parser.parse_words(words)


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        ns = parse_with_settings(words, os.environ)
        if ns is None:
            return 0
        add_vantages_from_file(ns)
        if ns.replay is not None or ns.demo:
            from tuitrace.run import run_replay

            return run_replay(replay_invocation(ns, ["tuitrace", *words]))
        if ns.host is None and ns.targets_file is None and not atlas_given(ns):
            raise TuitraceError("name a HOST to trace (or --targets-file FILE, --replay FILE, or --demo)")
        compared = compare_settings(ns.compare, protocol_given=ns.protocol is not None,
                                    port_given=ns.port is not None, stream=ns.stream,
                                    several_targets=several_targets(ns))
        if compared is None and several_targets(ns):
            from tuitrace.multitarget import plan_targets
            from tuitrace.runmulti import run_several

            plans = plan_targets(ns, ["tuitrace", *words], _warn)
            if plans is not None:
                return run_several(plans)
        invocation = invocation_from_args(ns, ["tuitrace", *words])
        if compared is not None and (ns.dot is not None or ns.mermaid is not None):
            raise TuitraceError("--dot and --mermaid draw one trace: leave them out with --compare")
        if compared is not None:
            from tuitrace.runcompare import run_compare

            return run_compare(invocation, compared)
        from tuitrace.run import run  # keeps --help fast

        return run(invocation)
    except TuitraceError as exc:
        print(f"tuitrace: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # the network or a file refused something: say what, in one line
        print(f"tuitrace: {plain_os_error(exc) if exc.filename else exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
