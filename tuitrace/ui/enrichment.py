"""The part of the enrichment service that the UI relies on.

A protocol rather than the concrete ``tuitrace.enrich.Enricher``, so tests (and a CLI run without lookups)
can hand the app any object with these four members; the values it returns are the shared ``EnrichInfo``.
"""

from __future__ import annotations

from typing import Protocol

from tuitrace.enrich.info import EnrichInfo

__all__ = ["EnrichInfo", "Enricher"]


class Enricher(Protocol):
    @property
    def generation(self) -> int:
        """Increases whenever any answer arrives, so a view knows when to look again."""

    def request(self, address: str) -> None:
        """Start lookups for ``address`` in the background; returns at once."""

    def get(self, address: str) -> EnrichInfo:
        """What is known now; never blocks."""

    def notices(self) -> list[str]:
        """One-line messages for the user (a missing database, a failed resolver)."""
