"""Cached answers live exactly as long as their TTL says."""

from __future__ import annotations

from tuitrace.enrich.cache import TtlCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_their_own_ttl() -> None:
    clock = FakeClock()
    cache: TtlCache[str | None] = TtlCache(clock=clock)
    cache.put("short", "a", 10)
    cache.put("negative", None, 100)
    clock.now += 9.9
    assert cache.lookup("short") == (True, "a")
    assert cache.lookup("negative") == (True, None)
    clock.now += 0.2
    assert cache.lookup("short") == (False, None)
    assert "negative" in cache
    assert "missing" not in cache


def test_oldest_entries_go_first_when_full() -> None:
    cache: TtlCache[int] = TtlCache(max_entries=2, clock=FakeClock())
    for index, key in enumerate("abc"):
        cache.put(key, index, 60)
    assert len(cache) == 2
    assert cache.get("a") is None
    assert (cache.get("b"), cache.get("c")) == (1, 2)
