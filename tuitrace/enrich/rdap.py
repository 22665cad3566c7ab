"""Owner details (network name, organisation, contacts) from RDAP, fetched only when the user asks.

RDAP servers rate-limit hard and answer slowly, so this is never part of the live table: the detail view of
one responder asks for it. Requests run one at a time in a worker thread, at most one per ``min_interval``
seconds, and results (failures too, for a shorter time) are cached. The HTTP request and the parsing are
ipwhois's (``Net.get_http_json`` and ``RDAP.lookup(response=...)``); only the URL is ours, so the service can
be an RDAP bootstrap, a registry, or a test server on loopback.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from typing import Any, Final
from urllib.request import OpenerDirector

from tuitrace.enrich.cache import Clock
from tuitrace.enrich.inert import inert_text, inert_tree

DetailResult = dict[str, Any] | str
RdapFetch = Callable[[str], dict[str, Any]]
Sleep = Callable[[float], None]

CACHE_TTL: Final = 3600.0
FAILURE_TTL: Final = 60.0
MAX_QUEUED: Final = 32
MAX_REASON: Final = 300


def ipwhois_fetch(base_url: str, timeout: float, opener: OpenerDirector | None = None) -> RdapFetch:
    """A fetch function asking ``{base_url}/ip/{address}`` through ipwhois and returning its parsed dict."""
    # Imported here: ipwhois is slow to import and only the detail view needs it.
    from ipwhois.exceptions import IPDefinedError
    from ipwhois.net import Net
    from ipwhois.rdap import RDAP

    def fetch(address: str) -> dict[str, Any]:
        try:
            net = Net(address, timeout=timeout, proxy_opener=opener)
        except IPDefinedError:  # ipwhois refuses special-use ranges with a paragraph; say it in a line
            raise ValueError(f"{address} is a special-use address: public RDAP has no owner for it") from None
        url = f"{base_url.rstrip('/')}/ip/{net.address_str}"
        response = net.get_http_json(url=url, retry_count=1, rate_limit_timeout=1)
        result: dict[str, Any] = RDAP(net).lookup(
            response=response, bootstrap=True, root_ent_check=False, depth=0,
        )
        return result

    return fetch


def settle(future: Future[DetailResult], result: DetailResult) -> None:
    """Resolve ``future`` unless something else already did."""
    with contextlib.suppress(InvalidStateError):
        future.set_result(result)


def resolved(result: DetailResult) -> Future[DetailResult]:
    """A future that is already done."""
    future: Future[DetailResult] = Future()
    future.set_result(result)
    return future


def inert_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """The registry's answer with every string made inert (it is shown in the detail view)."""
    clean = inert_tree(answer)
    return clean if isinstance(clean, dict) else {}


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class RdapDetails:
    """Cached, rate-limited, one-at-a-time RDAP lookups whose futures never hold an exception."""

    def __init__(
        self,
        fetch: RdapFetch,
        *,
        min_interval: float,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        cache_ttl: float = CACHE_TTL,
        failure_ttl: float = FAILURE_TTL,
    ) -> None:
        self._fetch = fetch
        self._min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._cache_ttl = cache_ttl
        self._failure_ttl = failure_ttl
        self._lock = threading.Lock()
        self._futures: dict[str, Future[DetailResult]] = {}
        self._expires: dict[str, float] = {}
        self._last_start: float | None = None
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tuitrace-rdap")

    def detail(self, address: str) -> Future[DetailResult]:
        """The (possibly shared, possibly finished) future of ``address``'s RDAP details."""
        with self._lock:
            known = self._futures.get(address)
            if known is not None and (not known.done() or self._expires.get(address, 0.0) > self._clock()):
                return known
            if self._closed:
                return resolved("RDAP lookups are closed")
            if sum(not f.done() for f in self._futures.values()) >= MAX_QUEUED:
                return resolved("too many RDAP lookups queued; try again in a moment")
            future: Future[DetailResult] = Future()
            self._futures[address] = future
            self._expires.pop(address, None)
            self._executor.submit(self._run, address, future)
            return future

    def _wait_turn(self) -> None:
        if self._last_start is not None:
            wait = self._last_start + self._min_interval - self._clock()
            if wait > 0:
                self._sleep(wait)
        self._last_start = self._clock()

    def _run(self, address: str, future: Future[DetailResult]) -> None:
        self._wait_turn()
        result: DetailResult
        try:
            result = inert_answer(self._fetch(address))
            ttl = self._cache_ttl
        except Exception as exc:  # ipwhois raises many types; all mean "no details"
            result = inert_text(f"RDAP lookup for {address} failed: {_one_line(exc)}", MAX_REASON)
            ttl = self._failure_ttl
        with self._lock:
            self._expires[address] = self._clock() + ttl
        settle(future, result)

    def close(self) -> None:
        """Stop the worker; unanswered futures resolve to a message."""
        with self._lock:
            self._closed = True
            pending = [f for f in self._futures.values() if not f.done()]
        self._executor.shutdown(wait=False, cancel_futures=True)
        for future in pending:
            settle(future, "RDAP lookups are closed")
