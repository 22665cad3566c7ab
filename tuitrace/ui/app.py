"""Wiring of the live view: engine snapshots in, key presses out.

A timer pulls the engine's snapshot a few times a second and hands it to the header and the table; keys
become engine commands. Nothing here waits on the network: the engine probes in its own thread and
``snapshot()`` only copies counters.
"""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Footer, Static

from tuitrace.config import Protocol, port_for
from tuitrace.defaults import PORT, TCP_DEFAULT_PORT, UDP_BASE_PORT
from tuitrace.engine.control import EngineControl
from tuitrace.errors import plain_os_error
from tuitrace.replay.control import ReplayControl
from tuitrace.report.graph import Topology, labelled_topology, render_mermaid
from tuitrace.report.graph_files import write_graph_files, write_graph_files_or_say
from tuitrace.report.privacy import (
    HIDDEN,
    Privacy,
    hidden_lookup,
    redact_events,
    redact_snapshot,
    redact_words,
)
from tuitrace.stats.snapshot import RunState, TraceSnapshot
from tuitrace.timeline.events import Event
from tuitrace.ui.enrichment import EnrichInfo
from tuitrace.ui.findings_feed import FindingsFeed
from tuitrace.ui.findings_look import hop_marks
from tuitrace.ui.keys import bindings
from tuitrace.ui.options import UiOptions
from tuitrace.ui.parsing import next_sendwait, parse_interval, parse_port, parse_sendwait_text
from tuitrace.ui.path_filter import chosen_path, filter_line, only_path
from tuitrace.ui.report import text_report
from tuitrace.ui.running import run_screen
from tuitrace.ui.screens.detail import ResponderDetailScreen
from tuitrace.ui.screens.findings import FindingsScreen
from tuitrace.ui.screens.flows import EVERY_PATH, FlowsScreen
from tuitrace.ui.screens.help import HelpScreen
from tuitrace.ui.screens.value_input import ValueInputScreen
from tuitrace.ui.screenshot import ScreenshotPaths, save_ticket_screenshot
from tuitrace.ui.terminal import honour_no_colour_terminal
from tuitrace.ui.widgets.display_mode import DisplayMode, next_chosen_ttl
from tuitrace.ui.widgets.event_pane import EventPane, news_line
from tuitrace.ui.widgets.flow_view import NO_FLOWS_HINT
from tuitrace.ui.widgets.header import TraceHeader
from tuitrace.ui.widgets.history_strip import HistoryStrip
from tuitrace.ui.widgets.hop_columns import BY_KEY, fields_text, parse_fields
from tuitrace.ui.widgets.hop_rows import View, addresses, parse_hop_key
from tuitrace.ui.widgets.hop_table import HopTable
from tuitrace.ui.widgets.replay_bar import ReplayBar
from tuitrace.ui.widgets.rtt_chart import RttChart, chosen_hop

REFRESH_SECONDS = 0.22
"""About 4.5 refreshes a second: live enough to watch, cheap enough not to compete with the prober."""
NEWS_SECONDS = 6.0
"""How long the header shows the newest event."""
PRIVACY_HOPS_BY_KEY = 2
"""Hops ``x`` hides when ``--privacy`` did not say: the home router and the provider's first router."""
GEOIP_HINT_SECONDS = 12.0
"""How long the status line says that places need a GeoIP database."""
QUIET_NOTICE = "no GeoIP database found"
"""The start of the lookups' notice that is a hint, not a problem: a status line, not a toast."""
PORT_HINT = f"{PORT.low:g}-{PORT.high:g}; empty: classic UDP {UDP_BASE_PORT}+n, TCP {TCP_DEFAULT_PORT}"
"""What the port dialog says (the bounds and the defaults of :mod:`tuitrace.defaults`)."""


class TraceApp(App[int]):
    CSS = (Path(__file__).parent / "app.tcss").read_text(encoding="utf-8")
    """Read on import (``CSS_PATH`` is read when the app starts): after the privilege drop, an installation
    under /root is no longer readable."""
    TITLE = "tuitrace"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = list(bindings())

    def __init__(self, engine: EngineControl, options: UiOptions | None = None) -> None:
        super().__init__()
        honour_no_colour_terminal(self, os.environ)
        self.engine = engine
        self.options = options or UiOptions()
        if self.options.theme:  # checked by the caller (tuitrace.ui.themes)
            self.theme = self.options.theme
        self.view = View(names=not self.options.numeric, fields=self.options.fields)
        self.display_mode = DisplayMode.TABLE
        self.privacy = self.options.privacy
        """What is hidden now (``x`` toggles between this and nothing)."""
        self._privacy_on = self.privacy if self.privacy.active else Privacy(hops=PRIVACY_HOPS_BY_KEY)
        self.chosen_ttl: int | None = None
        """The hop the strip marks and the chart shows (``↑``/``↓`` in those modes); ``None``: the last."""
        self.history_strip = HistoryStrip(id="strip")
        self.rtt_chart = RttChart(id="chart")
        self.user_port = self.options.user_port
        self.last_screenshot: ScreenshotPaths | None = None
        self._snapshot: TraceSnapshot | None = None
        self._shown: tuple[object, ...] | None = None
        self._requested: set[str] = set()
        self._notices: set[str] = set()
        self._problem = ""
        self.clock = time.monotonic
        """Seconds, for how long the header shows news (a test may turn it)."""
        self._news: tuple[Event, float] | None = None
        self._newest: Event | None = None
        """The newest event already announced (by identity: the engine keeps only the last 1000)."""
        self.findings = FindingsFeed(lambda: self.clock())  # noqa: PLW0108 (a test may turn self.clock)
        """The findings shown in the header, the rows and the list (``F``)."""
        self.event_pane = EventPane(id="events")
        """Held, not queried: the refresh runs while a dialog is the active screen too."""
        self.path_filter: int | None = None
        """The path of ``--flows`` the table is narrowed to (Enter in the flows view; ``a`` clears)."""
        self.filter_bar = Static("", id="path-filter")
        """Says that the table shows one path only, and how to see every path again."""
        self.status_line = Static("", id="status-line")
        """A quiet one-line hint (no GeoIP database), shown once, for a few seconds."""
        self._hint_until = 0.0

    def compose(self) -> ComposeResult:
        yield TraceHeader(id="header")
        yield self.filter_bar
        yield HopTable(id="hops")
        yield self.history_strip
        yield self.rtt_chart
        yield self.event_pane
        if isinstance(self.engine, ReplayControl):
            yield ReplayBar(self.engine, id="replay-bar")
        yield self.status_line
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(HopTable).focus()
        self.refresh_view()
        self.set_interval(REFRESH_SECONDS, self._tick)

    def _tick(self) -> None:
        """The refresh timer. It belongs to the app, which stops it only after the screens and their widgets
        are gone; a tick in between (seen on a loaded machine) must not look for them."""
        if self.is_running:
            self.refresh_view()

    @property
    def snapshot(self) -> TraceSnapshot:
        """The latest snapshot pulled from the engine."""
        if self._snapshot is None:
            self._snapshot = self.engine.snapshot()
        return self._snapshot

    def switch_engine(self, engine: EngineControl) -> None:
        """Show another engine from now on (a tab of a run with several targets): what was shown of the
        previous one is forgotten, and the new one's past events are not news."""
        self.engine = engine
        self._snapshot = self._shown = self._news = None
        events = engine.events()
        self._newest = events[-1] if events else None
        self._problem = ""

    def _lookup(self, address: str) -> EnrichInfo | None:
        enricher = self.options.enricher
        return enricher.get(address) if enricher is not None else None

    def _enrich(self, snapshot: TraceSnapshot) -> int:
        enricher = self.options.enricher
        if enricher is None:
            return 0
        for address in addresses(snapshot):
            if address not in self._requested:
                self._requested.add(address)
                enricher.request(address)
        for notice in enricher.notices():
            if notice not in self._notices:
                self._notices.add(notice)
                if notice.lower().startswith(QUIET_NOTICE.lower()):
                    self._hint(notice)
                else:
                    self.notify(notice, severity="warning", markup=False)  # file names, not markup
        return enricher.generation

    def _hint(self, text: str) -> None:
        """A hint on the status line (not over the table), unless lookups are off: then nobody asked."""
        if not self.options.lookups:
            return
        self.status_line.update(Text(text, style="dim"))
        self.status_line.add_class("-shown")
        self._hint_until = self.clock() + GEOIP_HINT_SECONDS

    def _expire_hint(self) -> None:
        if self._hint_until and self.clock() > self._hint_until:
            self._hint_until = 0.0
            self.status_line.remove_class("-shown")

    def _check_engine(self) -> None:
        """Show what the engine has to tell (a refused protocol switch), and say so, once, when its thread
        died."""
        for message in self.engine.take_messages():
            self.notify(message, severity="warning", timeout=10, markup=False)
        error = self.engine.error
        if error is not None and not self._problem:
            self._problem = str(error) or type(error).__name__
            self.notify(f"Probing stopped: {self._problem}", severity="error", timeout=30, markup=False)

    def refresh_view(self) -> None:
        """Pull a snapshot and show it; does nothing visible when nothing changed."""
        real = self._snapshot = self.engine.snapshot()
        generation = self._enrich(real)  # lookups are asked for every address, hidden or not
        self._expire_hint()
        visible = self._narrowed(real)
        snapshot = redact_snapshot(visible, self.privacy)
        self._check_engine()
        events = self.engine.events()
        news = self._follow_events(events)
        findings = self.findings.update(snapshot, self._private(events))  # what privacy lets show
        for bar in self.query(ReplayBar):  # it moves while the replay is paused between rounds
            bar.refresh_bar()
        mode = self.display_mode
        shown = (visible, self.view, generation, self._problem + news, mode, self.chosen_ttl,
                 self.history_strip.back, self.privacy, findings)
        if self._shown == shown:
            return
        self._shown = shown
        hidden = self.privacy.describe() if self.privacy.active else ""
        self.query_one(TraceHeader).show(snapshot, self.options.mode_label, self._problem, news, findings,
                                         hidden=hidden)
        enricher = self.options.enricher
        lookup = hidden_lookup(self._lookup if enricher is not None else None)
        if mode is DisplayMode.STRIP:
            self.history_strip.show(snapshot, self.view, lookup, self.chosen_ttl)
        elif mode is DisplayMode.CHART:
            self.rtt_chart.show(snapshot, lookup, self.chosen_ttl)
        else:
            fillable = enricher is not None and enricher.fills_as_or_place
            self.query_one(HopTable).show(snapshot, self.view, lookup, fillable, hop_marks(findings))

    def _narrowed(self, real: TraceSnapshot) -> TraceSnapshot:
        """``real``, or only the chosen path's responders and numbers while a path filter is on."""
        number = self.path_filter
        self.filter_bar.set_class(number is not None, "-shown")
        if number is None:
            return real
        path = chosen_path(self.engine.flows(), number)
        self.filter_bar.update(filter_line(path, number))
        return real if path is None else only_path(real, path)

    def _follow_events(self, events: Sequence[Event]) -> str:
        """Give the pane the events (when shown); the header's news line while the newest is fresh."""
        now = self.clock()
        if events and events[-1] is not self._newest:
            self._newest = events[-1]
            self._news = (self._newest, now)
        pane = self.event_pane
        if pane.has_class("-shown"):
            pane.show(self._private(events))
        if self._news is None or now - self._news[1] > NEWS_SECONDS:
            self._news = None
            return ""
        return news_line(self._private([self._news[0]])[0])

    def _redacted(self) -> TraceSnapshot:
        """The snapshot as privacy lets it show."""
        return redact_snapshot(self.snapshot, self.privacy)

    def _private(self, events: Sequence[Event]) -> list[Event]:
        """``events`` as privacy lets them show (hidden addresses replaced in their fields and sentences)."""
        if not self.privacy.active:
            return list(events)
        real = self.snapshot
        return redact_events(events, real, self.privacy, real.host)

    def action_toggle_events(self) -> None:
        pane = self.event_pane
        pane.toggle_class("-shown")
        if pane.has_class("-shown"):
            pane.show(self._private(self.engine.events()))

    # -- protocol and port ------------------------------------------------------------------------

    def _port_for(self, protocol: Protocol) -> int | None:
        return port_for(protocol, self.user_port)

    def action_protocol(self, name: str) -> None:
        protocol = Protocol(name)
        self.engine.set_protocol(protocol, self._port_for(protocol))
        self.refresh_view()

    def action_ask_port(self) -> None:
        current = self.snapshot.setting.port or self.user_port
        screen = ValueInputScreen("Destination port", PORT_HINT, parse_port,
                                  "" if current is None else str(current))
        self.push_screen(screen, self._port_chosen)

    def _port_chosen(self, result: tuple[int | None] | None) -> None:
        if result is None:
            return
        self.user_port = result[0]
        protocol = self.snapshot.setting.protocol
        if protocol is Protocol.ICMP:
            port = "no fixed port" if self.user_port is None else f"port {self.user_port}"
            self.notify(f"ICMP has no port: {port} is used when you press u (UDP) or t (TCP)")
            return
        self.engine.set_protocol(protocol, self._port_for(protocol))
        self.refresh_view()

    # -- timing -----------------------------------------------------------------------------------

    def action_sendwait_step(self, direction: int) -> None:
        self.engine.set_sendwait(next_sendwait(self.snapshot.sendwait, direction))
        self.refresh_view()

    def action_ask_sendwait(self) -> None:
        screen = ValueInputScreen("Sendwait between probes", "like -z: above 10 means ms, else seconds",
                                  parse_sendwait_text, f"{self.snapshot.sendwait:g}")
        self.push_screen(screen, self._sendwait_chosen)

    def _sendwait_chosen(self, result: tuple[float] | None) -> None:
        if result is not None:
            self.engine.set_sendwait(result[0])
            self.refresh_view()

    def action_ask_interval(self) -> None:
        screen = ValueInputScreen("Interval between rounds", "seconds, for example 0.5 or 2",
                                  parse_interval, f"{self.snapshot.interval:g}")
        self.push_screen(screen, self._interval_chosen)

    def _interval_chosen(self, result: tuple[float] | None) -> None:
        if result is not None:
            self.engine.set_interval(result[0])
            self.refresh_view()

    # -- run state and view -----------------------------------------------------------------------

    def action_toggle_pause(self) -> None:
        if self.engine.snapshot().state is RunState.PAUSED:
            self.engine.resume()
        else:
            self.engine.pause()
        self.refresh_view()

    def action_reset(self) -> None:
        self.engine.reset()
        self.refresh_view()

    def action_toggle_names(self) -> None:
        self.view = replace(self.view, names=not self.view.names)
        self.refresh_view()

    def action_toggle_as(self) -> None:
        self.view = replace(self.view, show_as=not self.query_one(HopTable).as_column)
        self.refresh_view()

    def action_toggle_back(self) -> None:
        self.view = replace(self.view, show_back=not self.view.show_back)
        self.refresh_view()

    def action_toggle_mpls(self) -> None:
        self.view = replace(self.view, show_mpls=not self.view.show_mpls)
        self.refresh_view()

    def action_toggle_ecmp(self) -> None:
        self.view = replace(self.view, expand_ecmp=not self.view.expand_ecmp)
        self.refresh_view()

    def action_show_findings(self) -> None:
        self.push_screen(FindingsScreen(
            lambda: self.findings.update(self._redacted(), self._private(self.engine.events())),
            lambda: self.snapshot.ttl_check))

    def action_toggle_jitter(self) -> None:
        self.view = replace(self.view, jitter=not self.view.jitter)
        self.refresh_view()

    def action_ask_fields(self) -> None:
        legend = "  ".join(f"{f.letter} {f.key}" for f in BY_KEY.values())
        screen = ValueInputScreen("Fields, in order (mtr's -o letters, or names with commas)", legend,
                                  parse_fields, fields_text(self.view.fields))
        self.push_screen(screen, self._fields_chosen)

    def _fields_chosen(self, result: tuple[tuple[str, ...]] | None) -> None:
        if result is not None:
            self.view = replace(self.view, fields=result[0], jitter=False)
            self.refresh_view()

    def action_cycle_display(self) -> None:
        table = self.query_one(HopTable)
        if self.display_mode is DisplayMode.TABLE and table.selected_key is not None:
            self.chosen_ttl = parse_hop_key(table.selected_key)[0]
        self.display_mode = self.display_mode.next()
        for widget, mode in ((table, DisplayMode.TABLE), (self.history_strip, DisplayMode.STRIP),
                             (self.rtt_chart, DisplayMode.CHART)):
            widget.display = mode is self.display_mode
        if self.display_mode is DisplayMode.TABLE:
            table.focus()
        self.refresh_view()  # the widget shown now draws again when it gets its size (its on_resize)

    def action_history_scroll(self, pages: int) -> None:
        if self.display_mode is DisplayMode.STRIP:
            self.history_strip.scroll_history(pages)
            self.refresh_view()

    def _move_chosen(self, delta: int) -> None:
        shown = chosen_hop(self.snapshot, None) if self.display_mode is DisplayMode.CHART else None
        self.chosen_ttl = next_chosen_ttl(self.snapshot, self.chosen_ttl, delta, shown.ttl if shown else None)
        self.refresh_view()

    def action_toggle_privacy(self) -> None:
        self.privacy = Privacy() if self.privacy.active else self._privacy_on
        self.refresh_view()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_show_flows(self) -> None:
        if self.engine.flows() is None:
            self.notify(NO_FLOWS_HINT, timeout=6)
            return
        self.push_screen(FlowsScreen(self.engine.flows, self.path_filter), self.narrow_to_path)

    def narrow_to_path(self, choice: int | None) -> None:
        """What the flows view chose: one path for the table, every path again, or nothing new."""
        if choice is None:
            return
        self.path_filter = None if choice == EVERY_PATH else choice
        self.refresh_view()

    def action_show_every_path(self) -> None:
        if self.path_filter is not None:
            self.narrow_to_path(EVERY_PATH)

    # -- selection and details --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The row keys belong to the table: under a dialog they scroll the dialog, not the table."""
        if action in ("replay_speed", "replay_step"):  # live, and under a dialog, the keys are the widgets'
            return isinstance(self.engine, ReplayControl) and len(self.screen_stack) == 1
        return action not in ("select_row", "show_detail", "show_findings") or len(self.screen_stack) == 1

    def action_replay_speed(self, direction: int) -> None:
        if isinstance(self.engine, ReplayControl):
            self.engine.change_speed(direction)
            self.refresh_view()

    def action_replay_step(self, direction: int) -> None:
        if isinstance(self.engine, ReplayControl):
            self.engine.step(direction)
            self.refresh_view()

    def action_select_row(self, delta: int) -> None:
        if self.display_mode is DisplayMode.TABLE:
            self.query_one(HopTable).action_move_cursor(delta)
        else:
            self._move_chosen(delta)

    def action_show_detail(self) -> None:
        table = self.query_one(HopTable)
        table.select_first_visible()
        key = table.selected_key
        if key is None:
            self.notify("No hop to show yet: wait for the first replies")
            return
        ttl, address = parse_hop_key(key)
        if self.privacy.active and (ttl <= self.privacy.hops or (address or "").startswith(HIDDEN)):
            self.notify(f"Hop {ttl} is hidden for privacy: x shows it")
            return
        enricher = self.options.enricher
        lookup = self._lookup if enricher is not None else None
        detail = enricher.detail if enricher is not None else None
        self.push_screen(ResponderDetailScreen(ttl, address, lambda: self.snapshot, lookup, detail))

    # -- screenshot -------------------------------------------------------------------------------

    def action_ticket_screenshot(self) -> None:
        real = self.snapshot
        snapshot = redact_snapshot(real, self.privacy)
        events = redact_events(self.engine.events(), real, self.privacy, real.host)
        svg = self.export_screenshot(title=f"tuitrace {snapshot.host or snapshot.target}")
        every_flow = self.engine.flows()
        flows = None if self.privacy.active else every_flow  # flow paths name every router
        report = text_report(snapshot, self.options.enricher, not self.view.names, events, flows,
                             hidden=self.privacy.active)
        command = shlex.join(redact_words(shlex.split(self.options.command_line), real, self.privacy))
        shown_path = "" if self.path_filter is None else f", path {self.path_filter} only"
        lookup = self._lookup if self.view.names else None
        topology = labelled_topology(real, every_flow, self.privacy, lookup)
        graph = render_mermaid(topology) if every_flow is not None else None  # the paths, drawn by trackers
        self.save_ticket(lambda: save_ticket_screenshot(
            snapshot, svg, report, directory=self.options.output_dir, command_line=command,
            mode_label=self.options.mode_label, hidden=self.privacy.describe(),
            display=self.display_mode.label + shown_path, events=events, graph=graph))
        self.write_graphs(topology)

    def write_graphs(self, topology: Topology) -> None:
        """``--dot`` / ``--mermaid``: the graph as it is now, with each screenshot."""
        graphs = self.options.graphs
        if not graphs.wanted:
            return
        problems = write_graph_files(graphs, topology)
        for problem in problems:
            self.notify(problem, title="Graph not written", severity="error", markup=False)
        if not problems:
            written = "\n".join(str(path) for path in (graphs.dot, graphs.mermaid) if path is not None)
            self.notify(written, title="Graph written", timeout=8, markup=False)

    def save_ticket(self, save: Callable[[], ScreenshotPaths]) -> None:
        """Run ``save`` (it writes the SVG and the Markdown) and say where they went, or why not."""
        try:
            paths = save()
        except OSError as error:
            self.notify(f"Screenshot not saved: {plain_os_error(error, 'cannot write')}", severity="error",
                        markup=False)
            return
        self.last_screenshot = paths
        self.notify(f"{paths.svg}\n{paths.markdown}", title="Screenshot saved", timeout=8, markup=False)


def run_tui(engine: EngineControl, options: UiOptions) -> int:
    """Start the engine, run the app until the user quits, stop the engine; maybe print the report."""
    app = TraceApp(engine, options)

    def report(final: TraceSnapshot) -> tuple[str, int]:
        events = redact_events(engine.events(), final, app.privacy, final.host)
        flows = None if app.privacy.active else engine.flows()  # flow paths name every router
        text = text_report(redact_snapshot(final, app.privacy), options.enricher, not app.view.names, events,
                           flows, hidden=app.privacy.active)
        return text, final.rounds

    status = run_screen(app, [engine], engine.snapshot, report if options.report_on_exit else None)
    if options.graphs.wanted:  # the graph of the whole run, as the screen last showed names
        lookup = app._lookup if app.view.names else None
        write_graph_files_or_say(options.graphs, labelled_topology(engine.snapshot(), engine.flows(),
                                                                   app.privacy, lookup))
    return status
