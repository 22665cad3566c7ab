"""What one run of tuitrace was asked to do, as typed values: the CLI builds them, ``run.py`` runs them.

One frozen value per concern — what to trace (:class:`~tuitrace.config.TraceConfig`), how probes reach the
network, which lookups run (:class:`~tuitrace.enrich.options.EnrichOptions`), the headless report, the
interactive screen (:class:`~tuitrace.ui.options.UiOptions`) — so nothing below the command line ever sees
argparse, and each part can be built by a test without a command line.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

from tuitrace.config import Mode, TraceConfig
from tuitrace.enrich.options import EnrichOptions
from tuitrace.report.graph import GraphFiles
from tuitrace.report.privacy import Privacy
from tuitrace.ui.options import UiOptions
from tuitrace.vantage.ssh import Vantage

if TYPE_CHECKING:  # the scenario code is loaded only for --simulate
    from tuitrace.probe.scenario import Scenario


class ReportFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    CSV = "csv"
    STREAM = "stream"
    """``--stream``: JSON lines as the trace goes instead of a report at the end."""


@dataclass(frozen=True, slots=True)
class NetworkChoice:
    """How probes reach the network."""

    mode: Mode | None = None
    """``--raw`` or ``--unprivileged``; ``None`` picks raw sockets when permitted."""
    scenario: Scenario | None = None
    """``--simulate``: a simulated path instead of the network (then ``mode`` is not used)."""


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """A headless report (``--report``, ``--json``, ``--csv``) instead of the interactive screen."""

    format: ReportFormat = ReportFormat.TEXT
    numeric: bool = False
    """``-n``: addresses only in the text report."""
    show_notices: bool = False
    """Print the lookups' notices on stderr (the user named GeoIP files, so problems with them matter)."""
    privacy: Privacy = field(default_factory=Privacy)
    """``--privacy N`` (``privacy.hops``) and ``--hide-target`` (``privacy.hide_target``)."""
    graphs: GraphFiles = field(default_factory=GraphFiles)
    """``--dot`` / ``--mermaid``: the topology written at the end of the run."""


@dataclass(frozen=True, slots=True)
class VantageOptions:
    """``--from``: the trace runs on another host over ssh (:mod:`tuitrace.vantage`)."""

    vantage: Vantage
    remote_words: tuple[str, ...]
    """The remote ``tuitrace --stream``'s arguments: what the user asked to trace, nothing local."""
    ssh_config: str | None = None
    remote_command: str = "tuitrace"


@dataclass(frozen=True, slots=True)
class Invocation:
    """Everything one run needs, built from the command line."""

    trace: TraceConfig
    network: NetworkChoice
    enrich: EnrichOptions
    ui: UiOptions
    """The interactive screen's options (not used when ``report`` is set)."""
    report: ReportOptions | None = None
    """``None`` runs the interactive screen."""
    remote: VantageOptions | None = None
    """``--from ... --no-local``: the trace runs there, not here."""
    record: Path | None = None
    """``--record FILE``: write the run as it goes (gzip when the name ends in ``.gz``)."""


@dataclass(frozen=True, slots=True)
class ReplayInvocation:
    """``--replay FILE`` or ``--demo``: play a recording back, in the screen or as one report."""

    source: Path | Traversable
    name: str
    """How messages name the file."""
    ui: UiOptions
    report: ReportOptions | None = None
