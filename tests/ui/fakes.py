"""A stand-in for the enrichment service: answers from a dictionary, records what was asked."""

from __future__ import annotations

from dataclasses import dataclass, field

from tuitrace.enrich.info import EnrichInfo

Info = EnrichInfo


@dataclass
class FakeEnricher:
    known: dict[str, EnrichInfo]
    requested: list[str] = field(default_factory=list)
    generation: int = 0
    pending_notices: list[str] = field(default_factory=list)

    def request(self, address: str) -> None:
        self.requested.append(address)

    def get(self, address: str) -> EnrichInfo:
        return self.known.get(address, EnrichInfo())

    def notices(self) -> list[str]:
        """Like the real service: each notice is returned once."""
        notices, self.pending_notices = self.pending_notices, []
        return notices
