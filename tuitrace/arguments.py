"""The command line's grammar: argparse, and nothing after it.

Kept apart from :mod:`tuitrace.cli` (which turns the parsed words into typed options) so that the
``Namespace`` never leaves the CLI layer. Numbers are taken as text here and checked against
:mod:`tuitrace.defaults` when the options are built, so every range error reads the same way
("-z must be ≥ 0, not -1") whether it came from the command line or an input screen.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import NoReturn

from tuitrace import __version__, defaults
from tuitrace.defaults import TCP_DEFAULT_PORT, UDP_BASE_PORT, UDP_FIXED_DEFAULT_PORT
from tuitrace.enrich.options import GEOIP_ENV, geoip_help

EXIT_USAGE = 2
DESCRIPTION = (
    "A full-screen, mtr-style interactive traceroute. Probes every hop continuously and shows loss, RTT "
    "statistics and every responder per hop (ECMP). Keys switch protocol, port and sendwait live."
)
_LOOKS_NEGATIVE = re.compile(r"-(?:\d|\.\d|inf|nan)", re.IGNORECASE)
"""A value such as ``-1``, ``-.5``, ``-inf``: argparse would take it for an option, because ``-4`` and
``-6`` are options that look like negative numbers."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (the full usage is one ``--help`` away), and a negative
    number after an option that takes a value is that option's value (so the range check can say
    "-z must be ≥ 0" instead of argparse's "expected one argument")."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"tuitrace: {message} (see tuitrace --help)\n")

    def parse_words(self, words: Sequence[str]) -> argparse.Namespace:
        """``parse_args``, with negative values kept with their option, and no option given an empty word
        (``-s ""`` would otherwise read as no ``-s`` at all, and ``--simulate ""`` trace the real network)."""
        ns = self.parse_intermixed_args(self.attach_negative_values(words))
        for action in self._actions:
            value = getattr(ns, action.dest, None)
            takes_one_word = bool(action.option_strings) and action.nargs is None
            if takes_one_word and isinstance(value, str) and not value.strip():
                self.error(f"{'/'.join(action.option_strings)} needs a value, not an empty word")
        return ns

    def attach_negative_values(self, words: Sequence[str]) -> list[str]:
        """``-z -1`` as ``-z=-1``, which argparse reads as the option's value."""
        takes_value = {
            flag for flag, action in self._option_string_actions.items() if action.nargs != 0
        }
        out: list[str] = []
        index = 0
        while index < len(words):
            word = words[index]
            if word == "--":
                out.extend(words[index:])
                break
            if word in takes_value and index + 1 < len(words):
                value = words[index + 1]
                out.extend([f"{word}={value}"] if _LOOKS_NEGATIVE.match(value) else [word, value])
                index += 2
                continue
            out.append(word)
            index += 1
        return out


def _bounds(bound: defaults.Bound, default: str | None = None) -> str:
    """``(1..255, default 30)`` for a help line."""
    extra = f", default {default}" if default is not None else ""
    return f"({bound.range_text}{extra})"


def _protocol_arguments(parser: argparse.ArgumentParser) -> None:
    proto = parser.add_argument_group("protocol (traceroute's letters)")
    choice = proto.add_mutually_exclusive_group()
    choice.add_argument("-I", "--icmp", dest="protocol", action="store_const", const="icmp",
                        help="ICMP echo probes (the default)")
    choice.add_argument("-U", "--udp", dest="protocol", action="store_const", const="udp-fixed",
                        help=f"UDP to one fixed port ({UDP_FIXED_DEFAULT_PORT} unless -p): one ECMP path")
    choice.add_argument("-T", "--tcp", dest="protocol", action="store_const", const="tcp",
                        help=f"TCP SYN to port {TCP_DEFAULT_PORT} unless -p; SYN-ACK or RST both mean "
                        "reached")
    choice.add_argument("-P", "--protocol", dest="protocol", choices=["icmp", "udp", "tcp"],
                        help=f"udp without -p is classic traceroute: port {UDP_BASE_PORT}+n, one per "
                        "probe, so ECMP branches all show")
    proto.add_argument("-p", "--port", help=f"destination port {_bounds(defaults.PORT)}")
    proto.add_argument("--sport", metavar="PORT",
                       help="fixed source port of UDP and TCP probes, as traceroute's --sport, to reproduce "
                       f"one application's flow exactly {_bounds(defaults.SOURCE_PORT)}; TCP needs raw "
                       "sockets")
    family = proto.add_mutually_exclusive_group()
    family.add_argument("-4", dest="family", action="store_const", const=4, help="IPv4 only")
    family.add_argument("-6", dest="family", action="store_const", const=6, help="IPv6 only")


def _timing_arguments(parser: argparse.ArgumentParser) -> None:
    timing = parser.add_argument_group("timing")
    timing.add_argument("-z", "--sendwait", metavar="SENDWAIT",
                        help="pause between probes: above 10 means ms, else seconds "
                        f"({defaults.SENDWAIT.range_text}: at most {defaults.MAX_SENDWAIT_S:g} s; default 0)")
    timing.add_argument("-w", "--wait", help="seconds before an unanswered probe counts as lost "
                        f"{_bounds(defaults.WAIT, f'{defaults.WAIT_S:g}')}")
    interval = _bounds(defaults.INTERVAL, f"{defaults.INTERVAL_S:g}")
    timing.add_argument("-i", "--interval", help=f"seconds between rounds {interval}")
    timing.add_argument("-q", "--queries", metavar="NQUERIES",
                        help="probes to each hop per round, as traceroute's -q "
                        f"{_bounds(defaults.QUERIES, str(defaults.QUERIES_VALUE))}")
    timing.add_argument("-c", "--count", help=f"rounds to run ({defaults.COUNT.range_text}; default: "
                        f"forever, {defaults.REPORT_DEFAULT_ROUNDS} with --report)")


def _path_arguments(parser: argparse.ArgumentParser) -> None:
    path = parser.add_argument_group("path")
    path.add_argument("-m", "--max-hops", metavar="MAX_HOPS",
                      help=f"largest TTL probed {_bounds(defaults.MAX_HOPS, str(defaults.MAX_TTL))}")
    path.add_argument("-f", "--first-hop", metavar="FIRST_TTL",
                      help=f"first TTL probed {_bounds(defaults.FIRST_HOP, str(defaults.FIRST_TTL))}")
    path.add_argument("-s", "--source", metavar="SRC", help="source address (one of this machine's)")
    path.add_argument("--interface", metavar="IFACE", help="send through this interface")
    path.add_argument("-t", "--tos", help=f"IP TOS / traffic class {_bounds(defaults.TOS, '0')}")
    path.add_argument("--packet-size", metavar="BYTES",
                      help="whole probe length in bytes, IP header included, as traceroute's packet_len "
                      f"({defaults.PACKET_LEN.range_text}; default and minimum: the smallest probe, "
                      "e.g. 36 for ICMP over IPv4)")
    path.add_argument("-F", "--dont-fragment", action="store_true",
                      help="set Don't Fragment on probes (IPv6: never fragment them here); a probe larger "
                      "than the path MTU then gets !F-<mtu> from the router before the smaller link")
    path.add_argument("--mtu", action="store_true",
                      help="discover the path MTU as traceroute --mtu does (implies -F): probes start at the "
                      "outgoing interface's MTU (or PACKET_LEN) and shrink at each !F-<mtu> / Packet Too "
                      "Big; the hop where the MTU drops shows F=<mtu>")
    path.add_argument("--flows", metavar="N",
                      help=f"probe N flows at once ({defaults.FLOWS.range_text}), each a fixed 5-tuple "
                      "(UDP: destination port, TCP: source port, ICMP: checksum), to map every ECMP branch; "
                      "statistics per flow and per distinct path")
    path.add_argument("--mda", action="store_true",
                      help="first discover every path with the Multipath Detection Algorithm (every "
                      "interface and link per hop, at --confidence), then trace the flows it used (--flows)")
    confidences = [str(pct) for pct in defaults.MDA_CONFIDENCES]
    path.add_argument("--confidence", metavar="PCT", choices=confidences,
                      help="--mda: the chance of finding every interface and link of the path in one run, "
                      f"{' or '.join(confidences)} (default {confidences[0]})")
    path.add_argument("-n", "--numeric", action="store_true", help="addresses only, no reverse DNS")
    sockets = path.add_mutually_exclusive_group()
    sockets.add_argument("--raw", dest="socket_mode", action="store_const", const="raw",
                         help="raw sockets (root or CAP_NET_RAW): the default when permitted")
    sockets.add_argument("--unprivileged", dest="socket_mode", action="store_const", const="unprivileged",
                         help="ordinary sockets, no root needed (ICMP needs net.ipv4.ping_group_range): "
                         "the default when raw sockets are not permitted")


def _output_arguments(parser: argparse.ArgumentParser) -> None:
    out = parser.add_argument_group("output")
    out.add_argument("-r", "--report", action="store_true",
                     help="no UI: print an mtr-style report after -c rounds")
    out.add_argument("--json", action="store_true", help="report as JSON (implies --report)")
    out.add_argument("--csv", action="store_true", help="report as CSV (implies --report)")
    out.add_argument("--stream", action="store_true",
                     help="no UI: write one JSON object per line as the trace goes, one per completed round "
                     "and one per event (runs until -c rounds or Ctrl+C)")
    out.add_argument("--output-dir", metavar="DIR",
                     help="where the screenshot key writes its SVG and Markdown report (default "
                     "./screenshots); checked at start when given")
    out.add_argument("--dot", metavar="FILE",
                     help="write the topology found as a Graphviz graph at the end of the run (on screen: "
                     "also with each screenshot): --mda's interfaces and links, --flows' paths, else the "
                     "responders per TTL")
    out.add_argument("--mermaid", metavar="FILE",
                     help="the same graph as a Mermaid flowchart, for pasting into a ticket")
    out.add_argument("--report-on-exit", action="store_true", help="print the text report when the UI quits")
    out.add_argument("--theme", metavar="NAME",
                     help="colours of the live screen: a Textual built-in theme (textual-dark, "
                     "textual-light, nord, gruvbox, dracula, tokyo-night, monokai, solarized-light...)")
    out.add_argument("--simulate", metavar="SCENARIO",
                     help="trace a simulated path described by a TOML scenario file instead of the network "
                     "(a demo that needs no privileges and sends nothing: no lookups unless --dns-server; "
                     "tuitrace ships some: --simulate routing_loop_v4, say; see assets/scenarios/)")


def _recording_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("record and replay")
    group.add_argument("--record", metavar="FILE",
                       help="write everything the trace measures to FILE as it goes (JSON lines; gzip when "
                       "FILE ends in .gz), in the live screen or with a report")
    source = group.add_mutually_exclusive_group()
    source.add_argument("--replay", metavar="FILE",
                        help="play a recording back instead of tracing (no HOST, no packets, no "
                        "privileges): "
                        "the screen paced like the original, or its whole report with --report/--json/--csv")
    source.add_argument("--demo", action="store_true",
                        help="replay the demo recording shipped with tuitrace (ECMP, loss, a route change, "
                        "an "
                        "outage): needs no network and no privileges")


def _enrich_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("names, AS numbers and places")
    group.add_argument("--dns-server", metavar="ADDR[:PORT]",
                       help="resolver for reverse DNS and AS lookups (default: the system's); "
                       "[IPV6]:PORT for a v6 port")
    group.add_argument("--geoip-db", metavar="PATH", action="append", default=[],
                       help="MaxMind-format .mmdb file (GeoLite2, DB-IP Lite, IPinfo); repeatable; also "
                       f"${GEOIP_ENV}. A file named here that cannot be read is an error")
    group.add_argument("--no-asn", action="store_true",
                       help="do not look up AS numbers over DNS (local GeoIP ASN databases are still read)")
    group.add_argument("--lookup-private", action="store_true",
                       help="also send private and special addresses to AS and RDAP lookups "
                       "(for internal DNS with AS data)")
    group.add_argument("--no-lookups", action="store_true",
                       help="send nothing but probes: no reverse DNS, AS or RDAP queries "
                       "(local GeoIP files are still read)")


def _vantage_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("other vantage points (OpenSSH)")
    group.add_argument("--from", dest="vantages", metavar="[USER@]HOST[:PORT]", action="append", default=[],
                       help="also trace from HOST over ssh (tuitrace --stream there), beside the trace from "
                       "here; repeatable; the system's ssh, your keys, agent, ~/.ssh/config and "
                       "known_hosts; never a password")
    group.add_argument("--from-file", metavar="FILE",
                       help="also trace from each [USER@]HOST[:PORT] in FILE, one per line (# comments)")
    group.add_argument("--no-local", action="store_true",
                       help="only the --from traces, not one from here too")
    group.add_argument("--ssh-config", metavar="FILE", help="passed to ssh as -F FILE")
    group.add_argument("--remote-command", metavar="CMD", default="tuitrace",
                       help="how to start tuitrace on the remote host (default: tuitrace on its PATH)")
def _atlas_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("RIPE Atlas")
    group.add_argument("--atlas", dest="atlas_measurement", metavar="MEASUREMENT_ID",
                       help="also show the results of this public RIPE Atlas traceroute measurement, one "
                       "trace per Atlas probe (HOST optional: with HOST, the trace from here runs beside "
                       "them)")
    group.add_argument("--atlas-file", metavar="FILE",
                       help="the same from a saved results file (the API's JSON list or JSON lines): offline")
    group.add_argument("--atlas-probe-info", metavar="FILE",
                       help="with --atlas-file: a saved /api/v2/probes/ answer giving the probes' country "
                       "and AS (else shown as ?)")
    group.add_argument("--atlas-create", action="store_true",
                       help="start a one-off traceroute to HOST from --atlas-probes Atlas probes and show "
                       "its results as they arrive; spends credits; the key only from RIPE_ATLAS_KEY")
    group.add_argument("--atlas-probes", metavar="N",
                       help="with --atlas-create: how many probes (1-50, default 10)")
    group.add_argument("--atlas-from", metavar="WHERE",
                       help="with --atlas-create: country:CC, asn:NUMBER or area:WW|West|North-Central|"
                       "South-Central|North-East|South-East (default area:WW)")


def _screen_arguments(parser: argparse.ArgumentParser) -> None:
    screen = parser.add_argument_group("screen and privacy")
    screen.add_argument("--fields", metavar="FIELDS",
                        help="the table's statistics columns, in order: mtr's -o letters or names with "
                        "commas (LSNABWVJH, the default; L loss D drop R rcv S snt N last B best A avg "
                        "W wrst V stdev G gmean E median P p95 J jttr M javg X jmax I jint H hist); "
                        "o changes them on screen, j shows the jitter fields")
    screen.add_argument("--privacy", metavar="N", dest="privacy_hops",
                        help="hide the addresses, names, AS and places of hops 1..N as 'hidden' on screen, "
                        "in screenshots and in reports (x toggles it on screen) "
                        f"{_bounds(defaults.PRIVACY_HOPS, '0')}")
    screen.add_argument("--hide-target", action="store_true",
                        help="hide the target's name and address too (header, reports, screenshot files)")


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="tuitrace", description=DESCRIPTION, epilog=geoip_help())
    parser.add_argument("host", nargs="?",
                        help="name or address to trace (several: each at once; none with --replay or --demo)")
    parser.add_argument("packet_len", nargs="?",
                        help="whole probe length in bytes, as traceroute's second argument (= --packet-size)")
    parser.add_argument("more_hosts", nargs="*", metavar="HOST", help=argparse.SUPPRESS)
    parser.add_argument("--targets-file", metavar="FILE",
                        help="also trace the hosts in FILE, one per line (# starts a comment); at most "
                        f"{defaults.MAX_TARGETS} targets in one run")
    parser.add_argument("--compare", metavar="SETTINGS",
                        help=f"trace 2..{defaults.MAX_COMPARED} protocols/ports side by side in each round "
                        "and show where their paths differ, e.g. icmp,udp,tcp:443 (the first is the "
                        "reference)")
    _protocol_arguments(parser)
    _timing_arguments(parser)
    _path_arguments(parser)
    _output_arguments(parser)
    _recording_arguments(parser)
    _screen_arguments(parser)
    _enrich_arguments(parser)
    _vantage_arguments(parser)
    _atlas_arguments(parser)
    settings = parser.add_argument_group("configuration file")
    settings.add_argument("--config", metavar="PATH",
                          help="read settings from this TOML file instead of ~/.config/tuitrace/config.toml "
                          "($XDG_CONFIG_HOME/tuitrace/config.toml); flags override the file")
    settings.add_argument("--print-config", action="store_true",
                          help="print a commented configuration file with every key and its default, "
                          "and exit")
    parser.add_argument("--version", action="version", version=f"tuitrace {__version__}")
    return parser
