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
import ipaddress
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from tuitrace import defaults
from tuitrace.cli import (
    atlas_given,
    check_vantage,
    invocation_from_args,
    one_remote,
    report_format,
    setting_from_args,
)
from tuitrace.errors import TuitraceError
from tuitrace.runmulti import TargetPlan
from tuitrace.targetlist import TargetWords, target_hosts
from tuitrace.vantage.ssh import Vantage

if TYPE_CHECKING:
    from tuitrace.vantage.atlas_engine import AtlasEngine

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
    atlas = atlas_given(ns)
    words = positional_words(ns)
    if atlas and not words and getattr(ns, "targets_file", None) is None:
        given = TargetWords((), None)  # only Atlas traces: their measurement names the target
    else:
        given = target_hosts(words, getattr(ns, "targets_file", None))
    vantages = check_vantage(ns)
    if len(given.hosts) == 1 and (not vantages or one_remote(ns)) and not atlas:
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
    if atlas:
        local = next((plan.invocation for plan in plans if plan.invocation is not None
                      and plan.vantage == "local"), None)
        engines = atlas_engines(ns, given.hosts, local.trace.family if local is not None else None,
                                environ, warn)
        plans.extend(atlas_plans(ns, engines, command_line, environ))
    return plans


def atlas_engines(ns: argparse.Namespace, hosts: Sequence[str], family: int | None,
                  environ: Mapping[str, str] | None, warn: Warn) -> list[AtlasEngine]:
    """``--atlas``, ``--atlas-file`` or ``--atlas-create``: one engine per Atlas probe (for a created
    measurement, one waiting slot per requested probe); any problem is one line (``AtlasError``)."""
    from tuitrace.vantage.atlas_api import AtlasClient
    from tuitrace.vantage.atlas_create import (
        DEFAULT_PROBES,
        MAX_PROBES,
        CreateRequest,
        ProbeSelection,
        create_slots,
    )
    from tuitrace.vantage.atlas_results import require_parser
    from tuitrace.vantage.atlas_source import AtlasSource, load_engines

    require_parser()
    env = os.environ if environ is None else environ
    chosen = [name for name, given in (("--atlas", ns.atlas_measurement), ("--atlas-file", ns.atlas_file),
                                       ("--atlas-create", ns.atlas_create)) if given]
    if len(chosen) > 1:
        raise TuitraceError(f"{' and '.join(chosen)}: choose one")
    if ns.atlas_probe_info is not None and ns.atlas_file is None:
        raise TuitraceError("--atlas-probe-info goes with --atlas-file (the API gives --atlas the probes)")
    if (ns.atlas_probes is not None or ns.atlas_from is not None) and not ns.atlas_create:
        raise TuitraceError("--atlas-probes and --atlas-from choose the probes of --atlas-create")
    if ns.simulate or ns.stream or getattr(ns, "record", None) is not None:
        raise TuitraceError("RIPE Atlas traces cannot be simulated, streamed or recorded: leave out "
                            "--simulate, --stream and --record")
    if not ns.atlas_create:
        measurement = None
        if ns.atlas_measurement is not None:
            text = str(ns.atlas_measurement)
            if not text.isdigit() or not 0 < int(text) < 1 << 31:
                raise TuitraceError(f"--atlas needs a measurement number, not {text!r}")
            measurement = int(text)
        source = AtlasSource(measurement, ns.atlas_file, ns.atlas_probe_info)
        return load_engines(source, env, warn)
    if len(hosts) != 1:
        raise TuitraceError("--atlas-create traces one HOST: name it once")
    try:
        count = defaults.Bound("probes", "--atlas-probes", 1, MAX_PROBES, whole=True).parse(
            str(ns.atlas_probes or DEFAULT_PROBES))
    except ValueError as exc:
        raise TuitraceError(str(exc)) from None
    selection = ProbeSelection.parse(ns.atlas_from or "area:WW")
    client = AtlasClient.from_environment(env, with_key=True)
    request = CreateRequest(hosts[0], ns.family or family or _literal_family(hosts[0]), setting_from_args(ns),
                            int(count), selection)
    headless = report_format(ns) is not None
    _, slots = create_slots(request, client, _say if headless else _silent, env, hosts[0])
    return slots


def atlas_plans(ns: argparse.Namespace, engines: Sequence[AtlasEngine], command_line: Sequence[str],
                environ: Mapping[str, str] | None) -> list[TargetPlan]:
    """A plan per Atlas engine: its invocation only carries the run's options (screen, report, lookups);
    the trace itself is the engine's."""
    plans: list[TargetPlan] = []
    for number, engine in enumerate(engines, start=1):
        trace = engine.trace
        one = copy.copy(ns)
        one.host = trace.target if trace is not None else "127.0.0.1"  # only the run's options matter
        one.packet_len, one.family = None, None
        one.vantages, one.no_local = [], False
        one.source = one.interface = None
        label = engine.snapshot().host if trace is not None else f"{ns.host} atlas #{number}"
        invocation = invocation_from_args(one, command_line, environ, _quiet)
        plans.append(TargetPlan(label, invocation, None, engine.vantage, engine))
    return plans


def _literal_family(host: str) -> int:
    """4 or 6 for an address, 4 for a name (Atlas resolves it; -6 asks for IPv6)."""
    try:
        return ipaddress.ip_address(host).version
    except ValueError:
        return 4


def _say(text: str) -> None:
    print(f"tuitrace: {text}", file=sys.stderr, flush=True)


def _silent(_text: str) -> None:
    """On the screen the slots show the progress."""


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
