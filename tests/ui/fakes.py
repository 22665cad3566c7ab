"""A stand-in for the enrichment service: answers from a dictionary, records what was asked.

``detail()`` hands out a future per address that the test completes when it likes (``answer``), so a test
sees the detail view before and after RDAP answers, as a user with a slow registry would.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from tuitrace.enrich.info import EnrichInfo
from tuitrace.enrich.rdap import DetailResult

Info = EnrichInfo


@dataclass
class FakeEnricher:
    known: dict[str, EnrichInfo]
    requested: list[str] = field(default_factory=list)
    generation: int = 0
    pending_notices: list[str] = field(default_factory=list)
    details: dict[str, Future[DetailResult]] = field(default_factory=dict)
    """The RDAP future of each address asked for; the same future when asked again (as the cache does)."""
    detail_requests: list[str] = field(default_factory=list)
    fills_as_or_place: bool = True

    def request(self, address: str) -> None:
        self.requested.append(address)

    def get(self, address: str) -> EnrichInfo:
        return self.known.get(address, EnrichInfo())

    def notices(self) -> list[str]:
        """Like the real service: each notice is returned once."""
        notices, self.pending_notices = self.pending_notices, []
        return notices

    def detail(self, address: str) -> Future[DetailResult]:
        self.detail_requests.append(address)
        return self.details.setdefault(address, Future())

    def answer(self, address: str, result: DetailResult) -> None:
        """Complete ``address``'s RDAP lookup, from another thread as the real service does."""
        future = self.details.setdefault(address, Future())
        thread = threading.Thread(target=future.set_result, args=(result,))
        thread.start()
        thread.join()
