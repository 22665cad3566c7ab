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
from pathlib import Path

from tuitrace import defaults
from tuitrace.arguments import EXIT_USAGE, build_parser
from tuitrace.config import Mode, Protocol, Setting, TraceConfig, port_for
from tuitrace.enrich.options import GEOIP_ENV, EnrichOptions, geoip_paths_from_env, parse_dns_server
from tuitrace.errors import TuitraceError, plain_os_error
from tuitrace.invocation import Invocation, NetworkChoice, ReportFormat, ReportOptions
from tuitrace.privileges import sudo_user
from tuitrace.probe.scenario import Scenario, ScenarioError, load_scenario
from tuitrace.targets import check_interface, check_target, local_source, resolve
from tuitrace.ui.options import UiOptions
from tuitrace.userfiles import check_output_dir, geoip_file_problem

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
        if user_port is not None:
            raise TuitraceError("-p needs a port-based protocol: add -U, -T or -P udp/tcp")
        return Setting(Protocol.ICMP, None)
    protocol = Protocol.TCP if kind == "tcp" else Protocol.UDP
    return Setting(protocol, port_for(protocol, user_port, fixed_udp=kind == "udp-fixed"))


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
    if ns.packet_len is not None and ns.packet_size is not None:
        raise TuitraceError("give the packet length once: as the second argument or with --packet-size")
    text = ns.packet_size if ns.packet_size is not None else ns.packet_len
    return _whole(text, defaults.PACKET_LEN, defaults.PACKET_LEN_BYTES)


def load_simulation(path: str) -> Scenario:
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
    flows = _whole(ns.flows, defaults.FLOWS, 0)
    if ns.confidence is not None and not ns.mda:
        raise TuitraceError("--confidence needs --mda")
    if ns.mda and flows:
        raise TuitraceError("--mda chooses its own flows: leave out --flows")
    confidence = int(ns.confidence or 95) if ns.mda else None
    source = interface = None
    if scenario is not None:
        address, family = scenario.target, scenario.family
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
        flows=flows,
        mda_confidence=confidence,
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
    )


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
    trace = trace_config(ns, scenario)
    enrich = enrich_options(ns, simulated=scenario is not None, environ=env, warn=warn or _warn)
    report = None
    if fmt is not None:
        report = ReportOptions(format=fmt, numeric=ns.numeric, show_notices=bool(ns.geoip_db))
    return Invocation(
        trace=trace,
        network=network_choice(ns, scenario),
        enrich=enrich,
        ui=ui_options(ns, command_line, interactive=fmt is None),
        report=report,
    )


def _warn(text: str) -> None:
    print(f"tuitrace: {text}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    ns = build_parser().parse_words(words)
    try:
        invocation = invocation_from_args(ns, ["tuitrace", *words])
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
