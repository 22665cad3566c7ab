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

from tuitrace.cli import invocation_from_args
from tuitrace.errors import TuitraceError
from tuitrace.runmulti import TargetPlan
from tuitrace.targetlist import target_hosts

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
    if len(given.hosts) == 1:
        ns.host, ns.packet_len = given.hosts[0], given.packet_len
        return None
    if ns.simulate:
        raise TuitraceError("--simulate traces its scenario's one path: give one host")
    if ns.stream:
        raise TuitraceError("--stream follows one target: give one host, or use --json for several")
    plans: list[TargetPlan] = []
    planned: dict[str, str] = {}
    for host in given.hosts:
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
    return plans


def _quiet(_text: str) -> None:
    """The warnings about the options were given with the first host already."""
