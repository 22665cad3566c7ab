"""What the command line tells the TUI beyond the engine's own configuration.

Kept apart from the app so the CLI can build it without importing Textual: ``tuitrace.cli`` fills in what
the user asked for, and ``tuitrace.run`` adds the enricher it opened (``dataclasses.replace``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tuitrace.report.graph import GraphFiles
from tuitrace.report.privacy import Privacy
from tuitrace.ui.enrichment import Enricher
from tuitrace.ui.widgets.hop_columns import DEFAULT_KEYS


@dataclass(frozen=True, slots=True)
class UiOptions:
    output_dir: Path = field(default_factory=lambda: Path("screenshots"))
    """Where the screenshot key writes its SVG and Markdown files."""
    report_on_exit: bool = False
    """Print the text report after the app closes, so the numbers survive the screen."""
    numeric: bool = False
    """Start with addresses instead of names (``-n``)."""
    command_line: str = ""
    """The command as typed, recorded in screenshot reports."""
    enricher: Enricher | None = None
    """Reverse DNS / ASN / GeoIP lookups; ``None`` shows addresses only."""
    mode_label: str = ""
    """How probes are sent, for the header; empty uses the snapshot's mode."""
    user_port: int | None = None
    """The port given with ``-p``: ``u`` then traces UDP to that port and ``t`` TCP to it."""
    theme: str = ""
    """A Textual built-in theme (``--theme`` or the configuration file); empty: Textual's default."""
    fields: tuple[str, ...] = DEFAULT_KEYS
    """``--fields``: the table's statistics columns, in order (keys of ``hop_columns.FIELDS``)."""
    privacy: Privacy = field(default_factory=Privacy)
    """``--privacy N`` / ``--hide-target``: what to hide from the start (``x`` toggles it)."""
    graphs: GraphFiles = field(default_factory=GraphFiles)
    """``--dot`` / ``--mermaid``: the topology, written with every screenshot and when the screen closes."""
    lookups: bool = True
    """False with ``--no-lookups`` (or a simulation without ``--dns-server``): no hint about a missing GeoIP
    database then, since nothing was asked for."""
