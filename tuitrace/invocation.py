"""What one run of tuitrace was asked to do, as typed values: the CLI builds them, ``run.py`` runs them.

One frozen value per concern — what to trace (:class:`~tuitrace.config.TraceConfig`), how probes reach the
network, which lookups run (:class:`~tuitrace.enrich.options.EnrichOptions`), the headless report, the
interactive screen (:class:`~tuitrace.ui.options.UiOptions`) — so nothing below the command line ever sees
argparse, and each part can be built by a test without a command line.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from tuitrace.config import Mode, TraceConfig
from tuitrace.enrich.options import EnrichOptions
from tuitrace.probe.scenario import Scenario
from tuitrace.report.privacy import Privacy
from tuitrace.ui.options import UiOptions


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
