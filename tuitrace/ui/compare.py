"""Compare mode on screen: each hop once, a column group per setting, the marks, and the verdict.

The usual header (of the reference setting, with every compared setting listed) stays on top; the hop
table gives way to the compare table, rebuilt from the engine's per-setting snapshots on every refresh by
the same pure comparison the reports use (:mod:`tuitrace.diagnose.compare`), so the screen and the report
never disagree. ``i``, ``u`` and ``t`` add that protocol to the comparison or take it out (``P`` sets the
port they use); resetting one setting does not apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from tuitrace.config import Protocol as ProbeProtocol
from tuitrace.config import Setting
from tuitrace.diagnose.compare import Comparison, SettingHop, compare_paths
from tuitrace.engine.control import EngineControl
from tuitrace.report.compare import compare_text
from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.ui.app import TraceApp
from tuitrace.ui.options import UiOptions
from tuitrace.ui.running import run_screen
from tuitrace.ui.screenshot import save_ticket_screenshot
from tuitrace.ui.widgets.header import TraceHeader
from tuitrace.ui.widgets.hop_table import HopTable


class CompareEngine(EngineControl, Protocol):
    def snapshot(self, setting: Setting | None = None) -> TraceSnapshot:
        """The statistics of ``setting`` (by default the reference)."""

    @property
    def compared(self) -> tuple[Setting, ...]:
        """The settings traced now, the reference first."""

    def set_compared(self, settings: Sequence[Setting]) -> None:
        """Trace ``settings`` from the next round on."""


def _who(cell: SettingHop | None) -> str:
    """The responder that answered most, ``+n`` for the others (ECMP), and the marks."""
    if cell is None:
        return ""
    who = cell.responders[0] if cell.responders else "???"
    more = f" +{len(cell.responders) - 1}" if len(cell.responders) > 1 else ""
    return " ".join([who + more, *cell.annotations])


def _numbers(cell: SettingHop | None) -> str:
    if cell is None:
        return ""
    avg = "" if cell.avg_ms is None else f"{cell.avg_ms:.2f}"
    return f"{cell.loss_pct:>5.1f}% {avg:>7}"


def compare_table(comparison: Comparison) -> Table:
    """The compare table: one column group per setting (loss, avg and, where the settings' responders
    differ anywhere, its own responder), else one shared Host column; the marks last. Inert text only."""
    per_setting = comparison.responder_per_setting
    table = Table(expand=True, box=None, header_style="bold", pad_edge=False, padding=(0, 2, 0, 0))
    table.add_column("TTL", justify="right", no_wrap=True, min_width=3)
    if not per_setting:
        table.add_column("Host", no_wrap=True, min_width=15)
    sub = "Loss%     Avg  Responder" if per_setting else "Loss%     Avg"
    for setting in comparison.settings:
        table.add_column(Text(f"{setting.label}\n{sub}"), no_wrap=True, min_width=len(sub))
    table.add_column("Marks", ratio=1)
    for hop in comparison.hops:
        differ = hop.responders_differ
        row: list[Text] = [Text(f"{hop.ttl}.")]
        if not per_setting:
            row.append(Text(hop.shared_responder))
        for cell in hop.cells:
            text = Text(_numbers(cell))
            if per_setting and cell is not None:
                stands_out = differ or bool(cell.annotations)
                text.append("  " + _who(cell), style="bold" if stands_out else "")
            row.append(text)
        row.append(Text("; ".join(hop.marks), style="bold reverse" if hop.marks else ""))
        table.add_row(*row)
    return table


def compare_view(comparison: Comparison) -> Group:
    verdict = Text("Verdict: ", style="bold")
    verdict.append(comparison.verdict)
    return Group(compare_table(comparison), Text(""), verdict)


class CompareApp(TraceApp):
    def __init__(self, engine: CompareEngine, settings: Sequence[Setting],
                 options: UiOptions | None = None) -> None:
        super().__init__(engine, options)
        self.compare_engine = engine
        self.settings = tuple(settings)
        self.comparison: Comparison | None = None

    def compose(self) -> ComposeResult:
        yield TraceHeader(id="header")
        yield HopTable(id="hops")  # hidden: the base app's handlers expect it
        with VerticalScroll(id="compare-scroll"):
            yield Static("", id="compare")
        yield self.event_pane
        yield Footer()

    def on_mount(self) -> None:
        """After ``TraceApp.on_mount``, which starts the refresh timer (Textual calls both)."""
        self.query_one(HopTable).display = False
        self.query_one("#compare-scroll").focus()

    def refresh_view(self) -> None:
        snapshot = self._snapshot = self.engine.snapshot()
        self._check_engine()
        news = self._follow_events(self.engine.events())
        self.query_one(TraceHeader).show(snapshot, self.options.mode_label, self._problem, news)
        comparison = compare_paths({s: self.compare_engine.snapshot(s) for s in self.settings})
        if comparison != self.comparison:
            self.comparison = comparison
            self.query_one("#compare", Static).update(compare_view(comparison))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("select_row", "show_detail", "toggle_ecmp", "toggle_as"):
            return False  # the compare table has no rows to select, expand or widen
        return super().check_action(action, parameters)

    def _port_chosen(self, result: tuple[int | None] | None) -> None:
        """``P`` in compare mode sets the port the next ``u`` or ``t`` adds."""
        if result is not None:
            self.user_port = result[0]
            port = "classic UDP and TCP 80" if self.user_port is None else f"port {self.user_port}"
            self.notify(f"u and t now add {port}", markup=False)

    def _not_in_compare(self, what: str) -> None:
        labels = ", ".join(s.label for s in self.settings)
        self.notify(f"Compare mode traces {labels} all the time: {what} does not apply", markup=False)

    def action_protocol(self, name: str) -> None:
        """``i`` / ``u`` / ``t``: add that protocol (with the port set with ``P``) to the comparison, or
        take it out; the last setting stays."""
        setting = Setting(ProbeProtocol(name), self._port_for(ProbeProtocol(name)))
        current = list(self.settings)
        if setting in current:
            if len(current) == 1:
                self.notify(f"{setting.label} is the last setting compared: add another first", markup=False)
                return
            current.remove(setting)
            verb = "no longer compared"
        else:
            current.append(setting)
            verb = "compared from the next round"
        self.settings = tuple(current)
        self.compare_engine.set_compared(self.settings)
        self.notify(f"{setting.label} {verb}: {', '.join(s.label for s in self.settings)}", markup=False)
        self.refresh_view()

    def action_reset(self) -> None:
        self._not_in_compare("resetting one setting")

    def action_ticket_screenshot(self) -> None:
        """The screen as SVG, and the compare report (table, verdict, divergences) as its Markdown."""
        snapshot = self.engine.snapshot()
        svg = self.export_screenshot(title=f"tuitrace {snapshot.host or snapshot.target} compare")
        report = report_text(self.compare_engine, self.settings)
        self.save_ticket(lambda: save_ticket_screenshot(
            snapshot, svg, report, directory=self.options.output_dir, command_line=self.options.command_line,
            mode_label=self.options.mode_label))


def report_text(engine: CompareEngine, settings: Sequence[Setting]) -> str:
    reference = engine.snapshot(settings[0])
    return compare_text(compare_paths({s: engine.snapshot(s) for s in settings}), reference)


def run_compare_tui(engine: CompareEngine, settings: Sequence[Setting], options: UiOptions) -> int:
    """Start the engine, run the compare screen until the user quits, stop it; maybe print the report."""
    app = CompareApp(engine, settings, options)

    def final() -> tuple[str, int]:
        return report_text(engine, engine.compared), engine.snapshot().rounds

    return run_screen(app, [engine], final, (lambda done: done) if options.report_on_exit else None)
