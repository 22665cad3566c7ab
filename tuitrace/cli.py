"""Command-line parsing only: turns argv into a ``TraceConfig`` and hands it to the UI or a report.

Every mistake (a bad option value, a host that does not resolve, missing privileges) ends in one line on
stderr naming the problem and what to do, with exit status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from tuitrace import __version__
from tuitrace.config import (
    TCP_DEFAULT_PORT,
    UDP_BASE_PORT,
    UDP_FIXED_DEFAULT_PORT,
    Protocol,
    Setting,
    TraceConfig,
    parse_sendwait,
)
from tuitrace.enrich.options import add_arguments as add_enrich_arguments
from tuitrace.enrich.options import geoip_help
from tuitrace.errors import TuitraceError

EXIT_USAGE = 2
DESCRIPTION = (
    "A full-screen, mtr-style interactive traceroute. Probes every hop continuously and shows loss, RTT "
    "statistics and every responder per hop (ECMP). Keys switch protocol, port and sendwait live."
)
REPORT_DEFAULT_ROUNDS = 10


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the full usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"tuitrace: {message} (see tuitrace --help)\n")


def _ranged(
    kind: type[int] | type[float], low: float, high: float | None, what: str
) -> Callable[[str], int | float]:
    def convert(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, not {text!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"{low:g}..{high:g}" if high is not None else f">= {low:g}"
            raise argparse.ArgumentTypeError(f"{what} must be {bounds}, not {text}")
        return value

    return convert


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="tuitrace",
        description=DESCRIPTION,
        epilog=geoip_help(),
    )
    parser.add_argument("host", help="name or address to trace")
    proto = parser.add_argument_group("protocol (traceroute's letters)")
    choice = proto.add_mutually_exclusive_group()
    choice.add_argument(
        "-I",
        "--icmp",
        dest="protocol",
        action="store_const",
        const="icmp",
        help="ICMP echo probes (the default)",
    )
    choice.add_argument(
        "-U",
        "--udp",
        dest="protocol",
        action="store_const",
        const="udp-fixed",
        help=f"UDP to one fixed port ({UDP_FIXED_DEFAULT_PORT} unless -p): one ECMP path",
    )
    choice.add_argument(
        "-T",
        "--tcp",
        dest="protocol",
        action="store_const",
        const="tcp",
        help=f"TCP SYN to port {TCP_DEFAULT_PORT} unless -p; SYN-ACK or RST both mean reached",
    )
    choice.add_argument(
        "-P",
        "--protocol",
        dest="protocol",
        choices=["icmp", "udp", "tcp"],
        help=f"udp without -p is classic traceroute: port {UDP_BASE_PORT}+n, one per probe, "
        "so ECMP branches all show",
    )
    proto.add_argument("-p", "--port", type=_ranged(int, 1, 65535, "port"), help="destination port")
    family = proto.add_mutually_exclusive_group()
    family.add_argument("-4", dest="family", action="store_const", const=4, help="IPv4 only")
    family.add_argument("-6", dest="family", action="store_const", const=6, help="IPv6 only")

    timing = parser.add_argument_group("timing")
    timing.add_argument(
        "-z",
        "--sendwait",
        type=_ranged(float, 0, None, "sendwait"),
        default=0.0,
        metavar="SENDWAIT",
        help="pause between probes: above 10 means ms, else seconds",
    )
    timing.add_argument(
        "-w",
        "--wait",
        type=_ranged(float, 0.001, 3600, "wait"),
        default=2.0,
        help="seconds before an unanswered probe counts as lost (default 2)",
    )
    timing.add_argument(
        "-i",
        "--interval",
        type=_ranged(float, 0.001, 3600, "interval"),
        default=1.0,
        help="seconds between rounds (default 1)",
    )
    timing.add_argument(
        "-c",
        "--count",
        type=_ranged(int, 1, None, "count"),
        help=f"rounds to run (default: forever; {REPORT_DEFAULT_ROUNDS} with --report)",
    )

    path = parser.add_argument_group("path")
    path.add_argument(
        "-m", "--max-hops", type=_ranged(int, 1, 255, "max hops"), default=30, metavar="MAX_HOPS"
    )
    path.add_argument(
        "-f", "--first-hop", type=_ranged(int, 1, 255, "first hop"), default=1, metavar="FIRST_TTL"
    )
    path.add_argument("-s", "--source", metavar="SRC", help="source address")
    path.add_argument("--interface", metavar="IFACE", help="send through this interface")
    path.add_argument(
        "-t", "--tos", type=_ranged(int, 0, 255, "TOS"), default=0, help="IP TOS / traffic class"
    )
    path.add_argument("-n", "--numeric", action="store_true", help="addresses only, no reverse DNS")
    sockets = path.add_mutually_exclusive_group()
    sockets.add_argument("--raw", dest="socket_mode", action="store_const", const="raw",
                         help="raw sockets (root or CAP_NET_RAW): the default when permitted")
    sockets.add_argument("--unprivileged", dest="socket_mode", action="store_const", const="unprivileged",
                         help="ordinary sockets, no root needed (ICMP needs net.ipv4.ping_group_range): "
                         "the default when raw sockets are not permitted")

    out = parser.add_argument_group("output")
    out.add_argument(
        "-r", "--report", action="store_true", help="no UI: print an mtr-style report after -c rounds"
    )
    out.add_argument("--json", action="store_true", help="report as JSON (implies --report)")
    out.add_argument("--csv", action="store_true", help="report as CSV (implies --report)")
    out.add_argument(
        "--output-dir",
        default="screenshots",
        metavar="DIR",
        help="where the screenshot key writes its SVG and Markdown report (default ./screenshots)",
    )
    out.add_argument("--report-on-exit", action="store_true", help="print the text report when the UI quits")
    out.add_argument(
        "--simulate",
        metavar="SCENARIO",
        help="trace a simulated path described by a TOML scenario file instead of the network "
        "(a demo that needs no privileges; see tests/scenarios/)",
    )
    add_enrich_arguments(parser)
    parser.add_argument("--version", action="version", version=f"tuitrace {__version__}")
    return parser


def resolve(host: str, family: int | None) -> tuple[str, int]:
    af = {4: socket.AF_INET, 6: socket.AF_INET6}.get(family or 0, socket.AF_UNSPEC)
    try:
        infos = socket.getaddrinfo(host, None, af, socket.SOCK_DGRAM)
    except (socket.gaierror, UnicodeError) as exc:
        wanted = f" as IPv{family}" if family else ""
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise TuitraceError(f"cannot resolve {host!r}{wanted}: {reason}") from None
    for info in infos:
        if info[0] in (socket.AF_INET, socket.AF_INET6):
            address = str(info[4][0]).split("%", 1)[0]
            return address, 4 if info[0] == socket.AF_INET else 6
    raise TuitraceError(f"cannot resolve {host!r}: no IPv4 or IPv6 address")


def setting_from_args(ns: argparse.Namespace) -> Setting:
    kind = ns.protocol or "icmp"
    if kind == "icmp":
        if ns.port is not None:
            raise TuitraceError("-p needs a port-based protocol: add -U, -T or -P udp/tcp")
        return Setting(Protocol.ICMP, None)
    if kind == "tcp":
        return Setting(Protocol.TCP, ns.port or TCP_DEFAULT_PORT)
    if kind == "udp-fixed":
        return Setting(Protocol.UDP, ns.port or UDP_FIXED_DEFAULT_PORT)
    return Setting(Protocol.UDP, ns.port)


def rounds(ns: argparse.Namespace) -> int | None:
    report = ns.report or ns.json or ns.csv
    return ns.count if ns.count is not None else (REPORT_DEFAULT_ROUNDS if report else None)


def simulated_target(path: str) -> tuple[str, int]:
    """With ``--simulate`` the scenario names the target (HOST is only a label)."""
    from tuitrace.probe.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        raise TuitraceError(str(exc)) from None
    return scenario.target, scenario.family


def config_from_args(ns: argparse.Namespace) -> TraceConfig:
    if ns.first_hop > ns.max_hops:
        raise TuitraceError(f"first hop {ns.first_hop} is beyond max hops {ns.max_hops}")
    setting = setting_from_args(ns)
    address, family = simulated_target(ns.simulate) if ns.simulate else resolve(ns.host, ns.family)
    if ns.source and not ns.simulate:
        try:
            source, source_family = resolve(ns.source, family)
        except TuitraceError:
            raise TuitraceError(f"source {ns.source!r} is not an IPv{family} address of this host") from None
        if source_family != family:
            raise TuitraceError(f"source {ns.source} is not IPv{family} like the target")
        ns.source = source
    return TraceConfig(
        target=address,
        family=family,
        host=ns.host,
        setting=setting,
        first_ttl=ns.first_hop,
        max_ttl=ns.max_hops,
        interval=ns.interval,
        sendwait=parse_sendwait(ns.sendwait),
        wait=ns.wait,
        count=rounds(ns),
        source=ns.source,
        interface=ns.interface,
        tos=ns.tos,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    try:
        config = config_from_args(ns)
        from tuitrace.run import run  # keeps --help fast

        return run(config, ns, ["tuitrace", *(sys.argv[1:] if argv is None else argv)])
    except TuitraceError as exc:
        print(f"tuitrace: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # the network refused something: say what, in one line
        print(f"tuitrace: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
