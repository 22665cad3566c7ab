"""The detail view of one hop or responder: names, owner, place, statistics and RDAP, opened with Enter.

RDAP answers take seconds and are rate-limited, so the view asks the enricher for a future and shows
"looking up…" until it completes; the future's callback runs in the enricher's thread and only hands the
answer to the app's event loop, so nothing here waits. The statistics keep updating while the view is
open, from the same snapshots the table shows.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from tuitrace.stats.snapshot import TraceSnapshot
from tuitrace.ui.details import Details, details
from tuitrace.ui.enrichment import EnrichInfo

if TYPE_CHECKING:
    from tuitrace.enrich.rdap import DetailResult

DetailFetch = Callable[[str], "Future[DetailResult]"]
Lookup = Callable[[str], EnrichInfo | None]
REFRESH_SECONDS = 0.5
RDAP_OFF = "RDAP lookups are off"
HINT = "↑ ↓ PgUp PgDn scroll   Esc closes   (owner details come from RDAP, asked once and cached)"


class RdapArrived(Message):
    """An RDAP answer (dict) or a reason (str) for ``address``, posted from the enricher's thread."""

    def __init__(self, address: str, result: DetailResult) -> None:
        super().__init__()
        self.address = address
        self.result: DetailResult = result


def render_details(shown: Details) -> Group:
    """The view's body: the hop's summary, then one block per responder; long values wrap in their
    column, under themselves, not under the labels."""
    parts: list[RenderableType] = [Text(shown.summary, style="bold" if not shown.sections else "")]
    for section in shown.sections:
        parts.append(Text("\n" + section.title, style="bold underline"))
        grid = Table.grid(padding=(0, 2), pad_edge=False)
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for fact in section.facts:
            grid.add_row(Text(" " + fact.label), Text(fact.value, style=fact.style))  # text, never markup
        grid.add_row(Text(" Owner (RDAP)", style="italic"), "")
        for fact in section.owner:
            grid.add_row(Text(" " + fact.label), Text(fact.value, style=fact.style))
        parts.append(grid)
    return Group(*parts)


def plain_details(shown: Details) -> str:
    """The same content as plain text (tests and anything that reads the view back)."""
    lines = [shown.title, shown.summary]
    for section in shown.sections:
        lines += ["", section.title]
        lines += [f"  {fact.label}  {fact.value}" for fact in section.facts]
        lines.append("  Owner (RDAP)")
        lines += [f"  {fact.label}  {fact.value}" for fact in section.owner]
    return "\n".join(lines)


class ResponderDetailScreen(ModalScreen[None]):
    """Everything known about hop ``ttl`` (every responder) or about one ``address`` at it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,w", "close", "Close", show=False),
    ]

    def __init__(self, ttl: int, address: str | None, source: Callable[[], TraceSnapshot],
                 lookup: Lookup | None, detail: DetailFetch | None) -> None:
        super().__init__()
        self.ttl = ttl
        self.address = address
        self._source = source
        self._lookup = lookup
        self._detail = detail
        self._rdap: dict[str, DetailResult] = {}
        self._asked: set[str] = set()
        self._shown: object = None
        self._plain = ""
        self._loop: asyncio.AbstractEventLoop | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-box"):
            yield Static("", id="detail-title")
            with VerticalScroll(id="detail-scroll"):
                yield Static("", id="detail-body")
            yield Static(HINT, id="detail-hint")

    def on_mount(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.update_view()
        self.set_interval(REFRESH_SECONDS, self.update_view)
        self.query_one(VerticalScroll).focus()

    @property
    def body(self) -> str:
        """What the view shows now, as plain text."""
        return self._plain

    def update_view(self) -> None:
        """Show the latest statistics and whatever RDAP answered; does nothing when nothing changed."""
        snapshot = self._source()
        shown = details(snapshot, self.ttl, self.address, self._lookup, self._rdap)
        known_now = [self._ask(address) for address in shown.addresses]
        if any(known_now):
            shown = details(snapshot, self.ttl, self.address, self._lookup, self._rdap)
        key = (shown.title, shown.summary, shown.sections)
        if key == self._shown:
            return
        self._shown = key
        self._plain = plain_details(shown)
        self.query_one("#detail-title", Static).update(shown.title)
        self.query_one("#detail-body", Static).update(render_details(shown))

    def _ask(self, address: str) -> bool:
        """Ask for ``address``'s RDAP details once; True when the answer is known already (lookups off)."""
        if address in self._asked:
            return False
        self._asked.add(address)
        if self._detail is None:
            self._rdap[address] = RDAP_OFF
            return True
        self._detail(address).add_done_callback(partial(self._answered, address))
        return False

    def _answered(self, address: str, future: Future[DetailResult]) -> None:
        """Runs in the enricher's thread (or here, when the answer was cached): hand it to the event loop."""
        if future.cancelled():
            result: DetailResult = "RDAP lookup cancelled"
        else:
            error = future.exception()
            result = future.result() if error is None else f"RDAP lookup failed: {error}"
        message = RdapArrived(address, result)
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the app has closed: nobody is waiting any more
            loop.call_soon_threadsafe(self.post_message, message)

    def on_rdap_arrived(self, message: RdapArrived) -> None:
        self._rdap[message.address] = message.result
        self.update_view()

    def action_close(self) -> None:
        self.dismiss(None)
