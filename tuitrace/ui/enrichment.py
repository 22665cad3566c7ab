"""The part of the enrichment service that the UI relies on.

A protocol rather than the concrete ``tuitrace.enrich.Enricher``, so tests (and a CLI run without lookups)
can hand the app any object with these five members; the values it returns are the shared ``EnrichInfo``
and, for the detail view, RDAP's dict or a one-line reason why there is none (``DetailResult``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from tuitrace.enrich.info import EnrichInfo

if TYPE_CHECKING:  # rdap imports urllib and the thread pool; the TUI needs only the type
    from concurrent.futures import Future

    from tuitrace.enrich.rdap import DetailResult

__all__ = ["EnrichInfo", "Enricher"]


class Enricher(Protocol):
    @property
    def generation(self) -> int:
        """Increases whenever any answer arrives, so a view knows when to look again."""

    @property
    def fills_as_or_place(self) -> bool:
        """Whether anything can fill the AS / place column: AS lookups are on, or a GeoIP file is open."""

    def request(self, address: str) -> None:
        """Start lookups for ``address`` in the background; returns at once."""

    def get(self, address: str) -> EnrichInfo:
        """What is known now; never blocks."""

    def notices(self) -> list[str]:
        """One-line messages for the user (a missing database, a failed resolver)."""

    def detail(self, address: str) -> Future[DetailResult]:
        """Owner details (RDAP) on demand: a future that never holds an exception, only a dict or a reason."""
