"""The command line of a run with several targets: one typed invocation per host, or why a host failed.

Each host is planned exactly as ``tuitrace HOST`` alone would be (:func:`tuitrace.cli.invocation_from_args`
on the same options with that host), so a target traced among others is traced with the same settings.
A host whose name does not resolve, or that no trace can reach, keeps its one-line error and does not stop
the others; an option error is the same for every host and ends the run in one line, as it does for one.
A second name for an address already planned is traced once (a warning says so): two traces of one
address would measure the same path twice and load it twice.
"""

from __future__ import annotations

import argparse
import copy
from collections.abc import Callable, Mapping, Sequence

from tuitrace.cli import check_vantage, invocation_from_args, one_remote
from tuitrace.errors import TuitraceError
from tuitrace.runmulti import TargetPlan
from tuitrace.targetlist import target_hosts
from tuitrace.vantage.ssh import Vantage

Warn = Callable[[str], None]


def positional_words(ns: argparse.Namespace) -> list[str]:
    words = [ns.host, ns.packet_len, *(getattr(ns, "more_hosts", None) or [])]
    return [word for word in words if word is not None]


def plan_targets(
    ns: argparse.Namespace,
    command_line: Sequence[str],
    warn: Warn,
    environ: Mapping[str, str] | None = None,
) -> list[TargetPlan] | None:
    """The plans of a run with several hosts; ``None`` for one host (then ``ns`` names it as ``host`` and
    the run is the single-target run, unchanged)."""
    given = target_hosts(positional_words(ns), getattr(ns, "targets_file", None))
    vantages = check_vantage(ns)
    if len(given.hosts) == 1 and (not vantages or one_remote(ns)):
        ns.host, ns.packet_len = given.hosts[0], given.packet_len
        return None
    if ns.simulate:
        raise TuitraceError("--simulate traces its scenario's one path: give one host")
    if ns.stream:
        raise TuitraceError("--stream follows one target: give one host, or use --json for several")
    graphs = getattr(ns, "dot", None) is not None or getattr(ns, "mermaid", None) is not None
    if graphs and len(given.hosts) > 1:
        raise TuitraceError("--dot and --mermaid draw one trace: give one host")
    if getattr(ns, "sport", None) is not None and len(given.hosts) > 1 and not ns.no_local:
        raise TuitraceError("--sport gives one trace its source port, and two traces cannot hold one port: "
                            "give one host")
    plans: list[TargetPlan] = []
    planned: dict[str, str] = {}
    for host in given.hosts if not ns.no_local else ():
        one = copy.copy(ns)
        one.host, one.packet_len = host, given.packet_len
        try:
            invocation = invocation_from_args(one, command_line, environ, warn if not plans else _quiet)
        except TuitraceError as exc:
            plans.append(TargetPlan(host, None, str(exc)))
            continue
        address = invocation.trace.target
        if address in planned:
            first = planned[address]
            warn(f"{host} is given twice: traced once" if first == host
                 else f"{host} is {address} like {first}: traced once")
            continue
        planned[address] = host
        plans.append(TargetPlan(host, invocation))
    for vantage in vantages:
        plans.extend(remote_plans(ns, vantage, given.hosts, packet_len=given.packet_len,
                                  command_line=command_line, environ=environ))
    return plans


def remote_plans(
    ns: argparse.Namespace, vantage: Vantage, hosts: Sequence[str], *, packet_len: str | None,
    command_line: Sequence[str], environ: Mapping[str, str] | None,
) -> list[TargetPlan]:
    """The traces ``--from vantage`` runs: each host, named and resolved over there (so no address check
    here: the same host from two places is two traces)."""
    plans: list[TargetPlan] = []
    for host in hosts:
        one = copy.copy(ns)
        one.host, one.packet_len = host, packet_len
        one.vantages, one.no_local = [vantage.label], True
        label = f"{host} from {vantage.label}"
        try:
            invocation = invocation_from_args(one, command_line, environ, _quiet)
        except TuitraceError as exc:
            plans.append(TargetPlan(label, None, str(exc), vantage.label))
            continue
        plans.append(TargetPlan(label, invocation, None, vantage.label))
    return plans


def _quiet(_text: str) -> None:
    """The warnings about the options were given with the first host already."""
