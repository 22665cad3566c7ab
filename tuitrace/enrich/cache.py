"""A small cache whose entries expire, for answers that carry their own lifetime.

DNS answers come with a TTL and a failed lookup must be retried later but not on every screen refresh; both
the resolver results and the RDAP details keep their answers here. The clock is passed in so tests control
time instead of sleeping.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    value: V
    expires: float


class TtlCache(Generic[V]):
    """Maps keys to values until each value's own deadline; the oldest entries go first when full."""

    def __init__(self, *, max_entries: int = 4096, clock: Clock = time.monotonic) -> None:
        self._entries: OrderedDict[str, _Entry[V]] = OrderedDict()
        self._max_entries = max_entries
        self._clock = clock

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, key: str, value: V, ttl: float) -> None:
        """Keep ``value`` for ``ttl`` seconds from now."""
        self._entries[key] = _Entry(value, self._clock() + ttl)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def lookup(self, key: str) -> tuple[bool, V | None]:
        """``(True, value)`` while the entry is fresh, ``(False, None)`` when missing or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return False, None
        if entry.expires <= self._clock():
            del self._entries[key]
            return False, None
        return True, entry.value

    def get(self, key: str) -> V | None:
        """The fresh value, or None."""
        return self.lookup(key)[1]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.lookup(key)[0]
