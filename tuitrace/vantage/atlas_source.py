"""Where the Atlas traces of a run come from: ``--atlas-file`` (offline), ``--atlas ID`` (the API).

Either way the result is one :class:`~tuitrace.vantage.atlas_engine.AtlasEngine` per Atlas probe, in the
order the overview groups them: by country, then AS, then probe id (probes whose place is unknown last).

Country and AS come from the API's probe metadata (``/probes/?id__in=``). A results file does not carry
them, so ``--atlas-file`` reads them from ``--atlas-probe-info FILE`` (a saved ``/probes/`` answer) when
given, and otherwise shows ``?``: an offline run never asks the network behind the user's back, and
guessing a probe's AS from its ``from`` address would name the AS of its NAT or ISP, not the probe's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from tuitrace.vantage.atlas_api import AtlasClient, ProbeMeta, read_probe_file
from tuitrace.vantage.atlas_engine import AtlasEngine, KeyNotice
from tuitrace.vantage.atlas_results import AtlasError, AtlasResults, AtlasTrace, ProbeInfo, parse_results

MAX_ATLAS_TRACES = 60
"""Atlas probes shown in one run at most (with the local trace, within the 64 traces of a run)."""
MAX_FILE_BYTES = 256 * 1024 * 1024

Warn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class AtlasSource:
    """What the command line asked for (one of ``measurement`` and ``results_file``)."""

    measurement: int | None = None
    results_file: str | None = None
    probe_file: str | None = None


def _read(path: str, what: str) -> bytes:
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise AtlasError(f"{what} {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise AtlasError(f"{what} {path} is larger than {MAX_FILE_BYTES >> 20} MB")
    return data


def load_engines(source: AtlasSource, environ: Mapping[str, str], warn: Warn) -> list[AtlasEngine]:
    """The Atlas traces of ``source``; ``AtlasError`` (one line) when there are none to show."""
    metas: dict[int, ProbeMeta] = {}
    if source.results_file is not None:
        where = source.results_file
        results = parse_results(_read(source.results_file, "--atlas-file"))
        if source.probe_file is not None:
            metas = read_probe_file(_read(source.probe_file, "--atlas-probe-info"))
    else:
        assert source.measurement is not None
        where = f"measurement {source.measurement}"
        client = AtlasClient.from_environment(environ)
        measurement = client.measurement(source.measurement)
        results = parse_results(client.results(source.measurement), measurement.port)
        if not results.traces and not measurement.over:
            raise AtlasError(f"measurement {source.measurement} has no results yet ({measurement.status}):"
                             " try again in a minute")
        if results.traces:
            metas = client.probes(trace.probe_id for trace in results.traces)
    return engines_for(results, metas, where, warn)


def engines_for(results: AtlasResults, metas: Mapping[int, ProbeMeta], where: str,
                warn: Warn, notice: KeyNotice | None = None) -> list[AtlasEngine]:
    if results.dropped:
        warn(f"{where}: {results.dropped} record{'s' if results.dropped != 1 else ''} that are no"
             " traceroute results or do not parse were left out")
    if not results.traces:
        raise AtlasError(f"{where} holds no RIPE Atlas traceroute results")
    notice = notice or KeyNotice()
    placed = sorted(((trace, _info(trace, metas)) for trace in results.traces), key=_group_order)
    if len(placed) > MAX_ATLAS_TRACES:
        warn(f"{where} has {len(placed)} probes: the first {MAX_ATLAS_TRACES} by country and AS are shown")
        placed = placed[:MAX_ATLAS_TRACES]
    return [AtlasEngine.of(trace, info, notice) for trace, info in placed]


def _info(trace: AtlasTrace, metas: Mapping[int, ProbeMeta]) -> ProbeInfo | None:
    meta = metas.get(trace.probe_id)
    return None if meta is None else meta.info(trace.family)


def _group_order(entry: tuple[AtlasTrace, ProbeInfo | None]) -> tuple[str, int, int, str]:
    """Country, then AS, then probe: the overview's groups (unknown places last)."""
    trace, info = entry
    country = (info.country if info is not None else None) or "~"
    asn = info.asn if info is not None and info.asn is not None else 1 << 32
    return country, asn, trace.probe_id, trace.target

