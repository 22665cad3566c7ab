"""Wiring of the live view: engine snapshots in, key presses out.

A timer pulls the engine's snapshot a few times a second and hands it to the header and the table; keys
become engine commands. Nothing here waits on the network: the engine probes in its own thread and
``snapshot()`` only copies counters.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Footer

from tuitrace.config import Protocol, port_for
from tuitrace.engine.control import EngineControl
from tuitrace.errors import plain_os_error
from tuitrace.lifecycle import Interrupted, StopSignals, mark_partial_text, write_out
from tuitrace.stats.snapshot import RunState, TraceSnapshot
from tuitrace.timeline.events import Event
from tuitrace.ui.enrichment import EnrichInfo
from tuitrace.ui.keys import bindings
from tuitrace.ui.options import UiOptions
from tuitrace.ui.parsing import next_sendwait, parse_interval, parse_port, parse_sendwait_text
from tuitrace.ui.report import text_report
from tuitrace.ui.screens.detail import ResponderDetailScreen
from tuitrace.ui.screens.flows import FlowsScreen
from tuitrace.ui.screens.help import HelpScreen
from tuitrace.ui.screens.value_input import ValueInputScreen
from tuitrace.ui.screenshot import ScreenshotPaths, save_ticket_screenshot
from tuitrace.ui.terminal import honour_no_colour_terminal
from tuitrace.ui.widgets.event_pane import EventPane, news_line
from tuitrace.ui.widgets.flow_view import NO_FLOWS_HINT
from tuitrace.ui.widgets.header import TraceHeader
from tuitrace.ui.widgets.hop_rows import View, addresses, parse_hop_key
from tuitrace.ui.widgets.hop_table import HopTable

REFRESH_SECONDS = 0.22
"""About 4.5 refreshes a second: live enough to watch, cheap enough not to compete with the prober."""
NEWS_SECONDS = 6.0
"""How long the header shows the newest event."""


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
        self.view = View(names=not self.options.numeric)
        self.user_port = self.options.user_port
        self.last_screenshot: ScreenshotPaths | None = None
        self._snapshot: TraceSnapshot | None = None
        self._shown: tuple[TraceSnapshot, View, int, str] | None = None
        self._requested: set[str] = set()
        self._notices: set[str] = set()
        self._problem = ""
        self.clock = time.monotonic
        """Seconds, for how long the header shows news (a test may turn it)."""
        self._news: tuple[Event, float] | None = None
        self._newest: Event | None = None
        """The newest event already announced (by identity: the engine keeps only the last 1000)."""
        self.event_pane = EventPane(id="events")
        """Held, not queried: the refresh runs while a dialog is the active screen too."""

    def compose(self) -> ComposeResult:
        yield TraceHeader(id="header")
        yield HopTable(id="hops")
        yield self.event_pane
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(HopTable).focus()
        self.refresh_view()
        self.set_interval(REFRESH_SECONDS, self.refresh_view)

    @property
    def snapshot(self) -> TraceSnapshot:
        """The latest snapshot pulled from the engine."""
        if self._snapshot is None:
            self._snapshot = self.engine.snapshot()
        return self._snapshot

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
                self.notify(notice, severity="warning", markup=False)  # file names and errors, not markup
        return enricher.generation

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
        snapshot = self._snapshot = self.engine.snapshot()
        generation = self._enrich(snapshot)
        self._check_engine()
        news = self._follow_events()
        if self._shown == (snapshot, self.view, generation, self._problem + news):
            return
        self._shown = (snapshot, self.view, generation, self._problem + news)
        self.query_one(TraceHeader).show(snapshot, self.options.mode_label, self._problem, news)
        enricher = self.options.enricher
        lookup = self._lookup if enricher is not None else None
        fillable = enricher is not None and enricher.fills_as_or_place
        self.query_one(HopTable).show(snapshot, self.view, lookup, fillable)

    def _follow_events(self) -> str:
        """Give the pane the events (when shown); the header's news line while the newest is fresh."""
        events = self.engine.events()
        now = self.clock()
        if events and events[-1] is not self._newest:
            self._newest = events[-1]
            self._news = (self._newest, now)
        pane = self.event_pane
        if pane.has_class("-shown"):
            pane.show(events)
        if self._news is None or now - self._news[1] > NEWS_SECONDS:
            self._news = None
            return ""
        return news_line(self._news[0])

    def action_toggle_events(self) -> None:
        pane = self.event_pane
        pane.toggle_class("-shown")
        if pane.has_class("-shown"):
            pane.show(self.engine.events())

    # -- protocol and port ------------------------------------------------------------------------

    def _port_for(self, protocol: Protocol) -> int | None:
        return port_for(protocol, self.user_port)

    def action_protocol(self, name: str) -> None:
        protocol = Protocol(name)
        self.engine.set_protocol(protocol, self._port_for(protocol))
        self.refresh_view()

    def action_ask_port(self) -> None:
        current = self.snapshot.setting.port or self.user_port
        screen = ValueInputScreen("Destination port", "1-65535; empty: classic UDP 33434+n, TCP 80",
                                  parse_port, "" if current is None else str(current))
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

    def action_toggle_ecmp(self) -> None:
        self.view = replace(self.view, expand_ecmp=not self.view.expand_ecmp)
        self.refresh_view()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_show_flows(self) -> None:
        if self.engine.flows() is None:
            self.notify(NO_FLOWS_HINT, timeout=6)
            return
        self.push_screen(FlowsScreen(self.engine.flows))

    # -- selection and details --------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The row keys belong to the table: under a dialog they scroll the dialog, not the table."""
        return action not in ("select_row", "show_detail") or len(self.screen_stack) == 1

    def action_select_row(self, delta: int) -> None:
        self.query_one(HopTable).action_move_cursor(delta)

    def action_show_detail(self) -> None:
        table = self.query_one(HopTable)
        table.select_first_visible()
        key = table.selected_key
        if key is None:
            self.notify("No hop to show yet: wait for the first replies")
            return
        ttl, address = parse_hop_key(key)
        enricher = self.options.enricher
        lookup = self._lookup if enricher is not None else None
        detail = enricher.detail if enricher is not None else None
        self.push_screen(ResponderDetailScreen(ttl, address, lambda: self.snapshot, lookup, detail))

    # -- screenshot -------------------------------------------------------------------------------

    def action_ticket_screenshot(self) -> None:
        snapshot = self.snapshot
        svg = self.export_screenshot(title=f"tuitrace {snapshot.host or snapshot.target}")
        report = text_report(snapshot, self.options.enricher, not self.view.names, self.engine.events(),
                             self.engine.flows())
        try:
            paths = save_ticket_screenshot(snapshot, svg, report, directory=self.options.output_dir,
                                           command_line=self.options.command_line,
                                           mode_label=self.options.mode_label)
        except OSError as error:
            self.notify(f"Screenshot not saved: {plain_os_error(error, 'cannot write')}", severity="error",
                        markup=False)
            return
        self.last_screenshot = paths
        self.notify(f"{paths.svg}\n{paths.markdown}", title="Screenshot saved", timeout=8, markup=False)


def run_tui(engine: EngineControl, options: UiOptions) -> int:
    """Start the engine, run the app until the user quits, stop the engine; maybe print the report."""
    app = TraceApp(engine, options)
    with StopSignals() as signals:  # SIGTERM, SIGHUP, SIGINT: leave the screen the normal way, then report
        engine.start()
        try:
            with signals.exit_loop(lambda status: app.exit(return_code=status)):
                app.run()
        except Interrupted:
            pass  # before the app's loop ran or after it ended: nothing on screen to restore
        finally:
            final = engine.snapshot()
            engine.stop()  # closes a loss burst still going: the events are read after it
        if options.report_on_exit:
            report = text_report(final, options.enricher, not app.view.names, engine.events(), engine.flows())
            write_out(mark_partial_text(report, signals.partial_note(final.rounds)) + "\n")
    return signals.status(app.return_code or 0)
