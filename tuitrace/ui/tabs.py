"""The live screen of a run with several targets: an overview tab and one tab per target.

Tab 0, the overview, has one line per target (reached, hops, loss and avg at the destination, the last
event) and under it the paths side by side (:mod:`tuitrace.report.sidebyside`); tab N is target N's
usual screen: the same header, table, keys and dialogs as ``tuitrace HOST``,
because it *is* that screen (:class:`~tuitrace.ui.app.TraceApp`) switched to the target's engine. Number
keys pick a tab, Tab and Shift+Tab step through them (the focus has nowhere else to go: the table is the
only thing that takes it). On the overview, the keys that change how probes are sent (protocol, port,
sendwait, interval, pause, reset) act on every target at once.

A target that could not be traced (its name did not resolve, no route) has a tab that says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from tuitrace.config import Protocol as ProbeProtocol
from tuitrace.engine.control import EngineControl
from tuitrace.report.multi import TargetOutcome, TargetSummary, TracedEntry, measured, multi_text, summarize
from tuitrace.report.sidebyside import legend, side_by_side
from tuitrace.stats.flowbook import FlowsSnapshot
from tuitrace.stats.snapshot import RunState, TraceSnapshot
from tuitrace.timeline.events import Event
from tuitrace.ui.app import TraceApp
from tuitrace.ui.options import UiOptions
from tuitrace.ui.running import run_screen
from tuitrace.ui.screens.help import HelpScreen, help_text
from tuitrace.ui.screenshot import save_ticket_screenshot
from tuitrace.ui.widgets.header import TraceHeader
from tuitrace.ui.widgets.hop_table import HopTable

OVERVIEW = 0
MAX_NUMBERED_TABS = 9

TAB_HELP: tuple[tuple[str, str], ...] = (
    ("0", "Overview: one line per target (protocol, timing, pause and reset keys act on all targets)"),
    ("1-9", "Target N's tab: its own table, header and keys, as if it were traced alone"),
    ("Tab", "Next tab"),
    ("⇧Tab", "Previous tab"),
)
"""The tab keys as the help lists them."""


@dataclass(frozen=True, slots=True)
class Target:
    host: str
    engine: EngineControl | None
    error: str | None = None
    vantage: str = "local"


def tab_bindings() -> list[Binding]:
    """Number keys pick a tab; Tab and Shift+Tab step (with priority: the screen binds them to focus)."""
    numbered = [Binding(str(n), f"show_tab({n})", f"Target {n}", show=False)
                for n in range(OVERVIEW, MAX_NUMBERED_TABS + 1)]
    return [*numbered,
            Binding("tab", "step_tab(1)", "Next tab", key_display="Tab", priority=True),
            Binding("shift+tab", "step_tab(-1)", "Previous tab", show=False, priority=True)]


class AllTargets:
    """The overview's engine: commands go to every target's engine; it reads like the first one."""

    def __init__(self, engines: Sequence[EngineControl]) -> None:
        self._engines = list(engines)
        self.error: BaseException | None = None

    def start(self) -> None:
        for engine in self._engines:
            engine.start()

    def stop(self) -> None:
        for engine in self._engines:
            engine.stop()

    def snapshot(self) -> TraceSnapshot:
        return self._engines[0].snapshot()

    def set_protocol(self, protocol: ProbeProtocol, port: int | None) -> None:
        for engine in self._engines:
            engine.set_protocol(protocol, port)

    def set_sendwait(self, seconds: float) -> None:
        for engine in self._engines:
            engine.set_sendwait(seconds)

    def set_interval(self, seconds: float) -> None:
        for engine in self._engines:
            engine.set_interval(seconds)

    def pause(self) -> None:
        for engine in self._engines:
            engine.pause()

    def resume(self) -> None:
        for engine in self._engines:
            engine.resume()

    def reset(self) -> None:
        for engine in self._engines:
            engine.reset()

    def flows(self) -> FlowsSnapshot | None:
        """The overview has no flows of its own (each target's tab shows its own)."""
        return None

    def take_messages(self) -> list[str]:
        return [message for engine in self._engines for message in engine.take_messages()]

    def events(self) -> list[Event]:
        return []


def overview_table(summaries: Sequence[TargetSummary]) -> Table:
    """One line per target; every cell is plain text (names and event texts come from the network)."""
    table = Table(expand=True, box=None, header_style="bold")
    for name, justify in (("#", "right"), ("Target", "left"), ("Address", "left"), ("Reached", "left"),
                          ("Hops", "right"), ("Loss%", "right"), ("Avg", "right"), ("Last event", "left")):
        table.add_column(name, justify=justify, no_wrap=name != "Last event")  # type: ignore[arg-type]
    for number, s in enumerate(summaries, start=1):
        if s.address is None:
            cells = ["", "", "", "", "", f"not traced: {s.error}"]
        else:
            cells = [s.address, "yes" if s.reached else "no", "-" if s.hops is None else str(s.hops),
                     "-" if s.loss_pct is None else f"{s.loss_pct:.1f}",
                     "-" if s.avg_ms is None else f"{s.avg_ms:.2f}",
                     f"stopped: {s.error}" if s.error else s.last_event]
        table.add_row(*(Text(cell) for cell in [str(number), s.host, *cells]))
    return table


def side_by_side_table(outcomes: Sequence[TargetOutcome]) -> Group | None:
    """The traces' paths side by side under the overview (every cell plain text), with its legend."""
    beside = side_by_side(outcomes)
    if beside is None:
        return None
    table = Table(expand=True, box=None, header_style="bold", title="Paths side by side",
                  title_justify="left")
    table.add_column("TTL", justify="right", no_wrap=True)
    for title in beside.titles:
        table.add_column(Text(title), no_wrap=True, overflow="ellipsis")
    for ttl, cells in beside.rows:
        table.add_row(str(ttl), *(Text(cell) for cell in cells))
    return Group(Text(""), table, Text(legend(beside), style="dim"))


class MultiTraceApp(TraceApp):
    BINDINGS: ClassVar[list[BindingType]] = [*TraceApp.BINDINGS, *tab_bindings()]

    def __init__(self, targets: Sequence[TracedEntry], options: UiOptions | None = None) -> None:
        self.targets = [Target(t.host, t.engine, t.error, t.vantage) for t in targets]
        engines = [t.engine for t in self.targets if t.engine is not None]
        if not engines:
            raise ValueError("a screen of several targets needs at least one that is traced")
        self.all_targets = AllTargets(engines)
        super().__init__(self.all_targets, options)
        self.tab = OVERVIEW

    def compose(self) -> ComposeResult:
        yield Static("", id="tab-bar")
        yield Static("", id="overview")
        yield Static("", id="target-error")
        yield TraceHeader(id="header")
        yield HopTable(id="hops")
        yield self.event_pane
        yield Footer()

    def on_mount(self) -> None:
        """After ``TraceApp.on_mount`` (Textual calls every class's handler, base first)."""
        self._show_widgets()

    # -- tabs -------------------------------------------------------------------------------------
    @property
    def tab_count(self) -> int:
        return len(self.targets) + 1

    def action_show_tab(self, number: int) -> None:
        if number >= self.tab_count:
            self.notify(f"No tab {number}: targets are 1-{len(self.targets)}, 0 is the overview")
            return
        self.tab = number
        entry = self.targets[number - 1] if number != OVERVIEW else None
        engine = entry.engine if entry is not None else None
        self.switch_engine(engine if engine is not None else self.all_targets)
        self._show_widgets()
        self.refresh_view()

    def action_step_tab(self, direction: int) -> None:
        self.action_show_tab((self.tab + direction) % self.tab_count)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step_tab" and len(self.screen_stack) > 1:
            return False  # a dialog's Tab moves its focus
        return super().check_action(action, parameters)

    @property
    def current(self) -> Target | None:
        """The target whose tab is shown; ``None`` on the overview."""
        return None if self.tab == OVERVIEW else self.targets[self.tab - 1]

    def _show_widgets(self) -> None:
        current = self.current
        overview = current is None
        failed = current is not None and current.engine is None
        self.query_one("#overview").display = overview
        self.query_one("#target-error").display = failed
        traced = not overview and not failed
        self.query_one(TraceHeader).display = traced
        self.query_one(HopTable).display = traced
        if overview:
            self.event_pane.remove_class("-shown")
        if failed and current is not None:
            self.query_one("#target-error", Static).update(
                Text(f"{current.host}: not traced: {current.error}", style="bold"))

    def tab_bar(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        labels = ["overview", *(self._tab_label(t) for t in self.targets)]
        for number, label in enumerate(labels):
            if number:
                text.append(" │ ", style="dim")
            text.append(f"{number} {label}", style="bold reverse" if number == self.tab else "")
        return text

    @staticmethod
    def _tab_label(target: Target) -> str:
        if target.engine is None:
            return f"{target.host} ✗"
        snapshot = target.engine.snapshot()
        mark = "⚠" if snapshot.link else "✓" if snapshot.reached else "…"
        return f"{target.host} {mark}"

    def outcomes(self) -> list[TargetOutcome]:
        enricher = self.options.enricher
        return measured(self.targets, enricher.get if enricher is not None else None)

    def refresh_view(self) -> None:
        self.query_one("#tab-bar", Static).update(self.tab_bar())
        current = self.current
        if current is None:
            self._check_engine()
            outcomes = self.outcomes()
            beside = side_by_side_table(outcomes)
            table = overview_table([summarize(outcome) for outcome in outcomes])
            self.query_one("#overview", Static).update(table if beside is None else Group(table, beside))
            return
        if current.engine is not None:
            super().refresh_view()

    def action_toggle_pause(self) -> None:
        if self.current is None:  # the overview: pause all unless all are paused
            paused = all(s.state is RunState.PAUSED for s in self._snapshots())
            if paused:
                self.all_targets.resume()
            else:
                self.all_targets.pause()
            self.refresh_view()
            return
        super().action_toggle_pause()

    def _snapshots(self) -> list[TraceSnapshot]:
        return [t.engine.snapshot() for t in self.targets if t.engine is not None]

    def action_help(self) -> None:
        self.push_screen(TabsHelpScreen())

    def action_ticket_screenshot(self) -> None:
        """On a target's tab, that target's screenshot; on the overview, the screen and the report of every
        target (the Markdown's settings are the first target's)."""
        if self.current is not None:
            super().action_ticket_screenshot()
            return
        snapshot = self.snapshot
        svg = self.export_screenshot(title=f"tuitrace {len(self.targets)} targets")
        enricher = self.options.enricher
        lookup = enricher.get if enricher is not None else None
        report = multi_text(self.outcomes(), lookup, not self.view.names)
        self.save_ticket(lambda: save_ticket_screenshot(
            snapshot, svg, report, directory=self.options.output_dir, command_line=self.options.command_line,
            mode_label=self.options.mode_label))


class TabsHelpScreen(HelpScreen):
    """The help, with the tab keys first."""

    def on_mount(self) -> None:
        text = Text()
        for keys, meaning in TAB_HELP:
            text.append(f"{keys:>5}", style="bold")
            text.append(f"  {meaning}\n")
        text.append("\n")
        text.append_text(help_text())
        self.query_one("#help-body", Static).update(text)


def run_tabs(targets: Sequence[TracedEntry], options: UiOptions) -> int:
    """Start every engine, run the screen until the user quits, stop them; maybe print the report."""
    app = MultiTraceApp(targets, options)
    engines = [t.engine for t in app.targets if t.engine is not None]

    def report(final: list[TargetOutcome]) -> tuple[str, int]:
        enricher = options.enricher
        text = multi_text(final, enricher.get if enricher is not None else None, not app.view.names)
        return text, max((o.snapshot.rounds for o in final if o.snapshot is not None), default=0)

    return run_screen(app, engines, app.outcomes, report if options.report_on_exit else None)
