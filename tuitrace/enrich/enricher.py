"""The background worker that turns responder addresses into names, owners and places.

The trace must never wait for a lookup: the UI and the engine only call :meth:`Enricher.request` (queue an
address, returns at once) and :meth:`Enricher.get` (what is known now). All lookups run on one asyncio loop in
a daemon thread, at most ``concurrency`` addresses at a time, each question with its own deadline, so a dead
resolver only leaves cells empty. Answers are kept until their DNS TTL runs out; a failed refresh keeps the
older answer. Callers simply keep asking: :meth:`Enricher.request` costs a dictionary look-up while an
answer is fresh and starts a new lookup once it has expired, so names are refreshed after their TTL and a
resolver that was down is tried again, sooner at first (``FIRST_RETRY``, doubling up to ``FAILURE_TTL``),
without any caller keeping time. :attr:`Enricher.generation` grows whenever something new arrived, so the UI
can poll cheaply.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Final

import dns.asyncresolver

from tuitrace.enrich.asn import AsDescription, Origin, lookup_as_description, lookup_origin
from tuitrace.enrich.cache import Clock, TtlCache
from tuitrace.enrich.dnsquery import FAILURE_TTL, DnsResult, make_resolver
from tuitrace.enrich.geoip import NO_FACTS, GeoFacts, GeoIpDatabases
from tuitrace.enrich.inert import inert_name
from tuitrace.enrich.info import EMPTY_INFO, EnrichInfo
from tuitrace.enrich.options import EnrichOptions
from tuitrace.enrich.rdap import DetailResult, RdapDetails, RdapFetch, ipwhois_fetch, resolved
from tuitrace.enrich.rdns import reverse_lookup
from tuitrace.enrich.special import parse_address, special_label

LOCAL_TTL: Final = 3600.0
FIRST_RETRY: Final = 5.0
"""Seconds before the first retry of an address whose lookup failed; each further failure doubles it."""
MAX_TRACKED: Final = 4096


@dataclass(slots=True)
class _Parts:
    """Everything learned about one address so far, from each source separately."""

    label: str | None = None
    geo: GeoFacts = NO_FACTS
    hostname: str | None = None
    origin: Origin | None = None
    description: AsDescription | None = None

    def info(self) -> EnrichInfo:
        """The combined view, every text made inert: this is where names from servers and files enter."""
        geo, origin, desc = self.geo, self.origin, self.description
        asn = origin.asn if origin else geo.asn
        same_as_geo = geo.asn is not None and geo.asn == asn
        as_name = desc.name if desc and desc.asn == asn else None
        return EnrichInfo(
            hostname=inert_name(self.hostname),
            asn=asn,
            as_name=inert_name(as_name or (geo.as_name if same_as_geo else None)),
            prefix=inert_name((origin.prefix if origin else None) or (geo.prefix if same_as_geo else None)),
            registry=inert_name((origin.registry if origin else None) or (desc.registry if desc else None)),
            country=inert_name(geo.country or (origin.country if origin else None)),
            city=inert_name(geo.city),
            label=self.label,
        )


def _lazy_ipwhois(options: EnrichOptions) -> RdapFetch:
    fetch: RdapFetch | None = None

    def call(address: str) -> dict[str, Any]:
        nonlocal fetch
        if fetch is None:
            fetch = ipwhois_fetch(options.rdap_url, options.timeout)
        return fetch(address)

    return call


def _key(address: str) -> str | None:
    ip = parse_address(address)
    return None if ip is None else str(ip)


class Enricher:
    """Non-blocking reverse DNS, ASN, GeoIP and on-demand RDAP for the addresses of a trace."""

    def __init__(
        self,
        options: EnrichOptions,
        *,
        rdap_fetch: RdapFetch | None = None,
        clock: Clock = time.monotonic,
        max_tracked: int = MAX_TRACKED,
    ) -> None:
        self._options = options
        self._clock = clock
        self._max_tracked = max_tracked
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._parts: dict[str, _Parts] = {}
        self._infos: dict[str, EnrichInfo] = {}
        self._expires: dict[str, float] = {}
        self._failures: dict[str, int] = {}
        self._in_flight: set[str] = set()
        self._backlog: list[str] = []
        self._generation = 0
        self._notices: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._as_tasks: dict[int, asyncio.Task[AsDescription | None]] = {}
        self._as_cache: TtlCache[AsDescription | None] = TtlCache(clock=clock)
        self._semaphore = asyncio.Semaphore(options.concurrency)
        self._resolver: dns.asyncresolver.Resolver | None = None
        self._geo: GeoIpDatabases | None = None
        self._rdap = RdapDetails(rdap_fetch or _lazy_ipwhois(options), min_interval=options.rdap_interval)

    # -- life cycle

    def start(self) -> None:
        """Open the GeoIP files, set up the resolver and start the lookup thread (idempotent)."""
        with self._lock:
            if self._thread is not None or self._closed:
                return
        geo = GeoIpDatabases(self._options.geoip_paths, self._options.geoip_search_dirs)
        resolver = None
        if self._options.rdns_enabled or self._options.asn_enabled:
            try:
                resolver = make_resolver(self._options)
            except Exception as exc:  # any resolver setup failure means "no DNS", not a crash
                self._notice(f"no DNS resolver available ({exc}): names and AS numbers stay empty")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=self._run_loop, args=(loop,), name="tuitrace-enrich", daemon=True)
        with self._lock:
            self._notices.extend(geo.notices)
            self._geo, self._resolver, self._loop, self._thread = geo, resolver, loop, thread
            backlog, self._backlog = self._backlog, []
            for key in backlog:
                loop.call_soon_threadsafe(self._spawn, key)
        thread.start()

    def close(self) -> None:
        """Stop the thread and release files; pending lookups are dropped (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            loop, thread = self._loop, self._thread
            self._in_flight.clear()
            self._backlog.clear()
            self._idle.notify_all()
        if loop is not None and thread is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
        self._rdap.close()
        if self._geo is not None:
            self._geo.close()

    def __enter__(self) -> Enricher:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _run_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.close()

    # -- what the UI and the reports call

    @property
    def generation(self) -> int:
        """Grows whenever any address learned something new."""
        with self._lock:
            return self._generation

    @property
    def fills_as_or_place(self) -> bool:
        """Whether anything can fill an AS / place column: AS lookups are on, or a GeoIP file is open."""
        geo = self._geo
        return self._options.asn_enabled or (geo is not None and bool(geo.paths))

    def request(self, address: str) -> None:
        """Look ``address`` up in the background unless known and fresh; returns at once, never raises.

        Cheap enough to call for every probe result: a fresh answer costs one dictionary look-up, read without
        the lock (a single ``dict.get`` is atomic; a stale read only means taking the locked path below).
        """
        if self._expires.get(address, 0.0) > self._clock():
            return
        key = _key(address)
        if key is None:
            return
        with self._lock:
            if self._closed or key in self._in_flight:
                return
            if self._expires.get(key, 0.0) > self._clock():
                return
            if key not in self._parts and len(self._parts) >= self._max_tracked:
                return
            self._in_flight.add(key)
            self._parts.setdefault(key, _Parts(label=special_label(key)))
            if self._loop is None:
                self._backlog.append(key)
                return
            try:
                self._loop.call_soon_threadsafe(self._spawn, key)
            except RuntimeError:
                self._in_flight.discard(key)

    def get(self, address: str) -> EnrichInfo:
        """What is known about ``address`` now (at least its private/special label); never blocks."""
        key = _key(address)
        if key is None:
            return EMPTY_INFO
        with self._lock:
            info = self._infos.get(key)
        return info if info is not None else EnrichInfo(label=special_label(key))

    def notices(self) -> list[str]:
        """One-time messages for the user (missing GeoIP database, no resolver...); each is returned once."""
        with self._lock:
            notices, self._notices = self._notices, []
        return notices

    def detail(self, address: str) -> Future[DetailResult]:
        """RDAP details of ``address`` (ipwhois's dict) or a one-line reason why there are none."""
        key = _key(address)
        if key is None:
            return resolved(f"{address!r} is not an IP address")
        if not self._options.rdap_enabled:
            return resolved("RDAP lookups are off (--no-lookups)")
        label = special_label(key)
        if label is not None and not self._options.lookup_private:
            return resolved(f"{key} is {label}: not sent to RDAP (use --lookup-private)")
        return self._rdap.detail(key)

    def wait_idle(self, timeout: float) -> bool:
        """Block until no lookup is pending or ``timeout`` passed; True when idle (for headless reports)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._in_flight, timeout)

    # -- the lookup thread

    def _notice(self, text: str) -> None:
        with self._lock:
            if text not in self._notices:
                self._notices.append(text)

    def _spawn(self, key: str) -> None:
        task = asyncio.get_running_loop().create_task(self._lookup(key))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _publish(self, key: str, update: Callable[[_Parts], None]) -> None:
        with self._lock:
            parts = self._parts.setdefault(key, _Parts())
            update(parts)
            info = parts.info()
            if info != self._infos.get(key):
                self._infos[key] = info
                self._generation += 1

    async def _lookup(self, key: str) -> None:
        ttl, failed = FAILURE_TTL, True
        try:
            ttl, failed = await self._lookup_all(key)
        except Exception as exc:  # a bug in one lookup must not end the others
            self._notice(f"lookup of {key} failed unexpectedly: {exc!r}")
        finally:
            with self._lock:
                self._in_flight.discard(key)
                self._expires[key] = self._clock() + self._keep_for(key, ttl, failed=failed)
                if not self._in_flight:
                    self._idle.notify_all()

    def _keep_for(self, key: str, ttl: float, *, failed: bool) -> float:
        """Seconds until ``key`` is looked up again: its TTL, or sooner after a failure (called locked)."""
        if not failed:
            self._failures.pop(key, None)
            return ttl
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        backoff: float = FIRST_RETRY * 2.0 ** min(failures, 16)
        return min(ttl, backoff, FAILURE_TTL)

    async def _lookup_all(self, key: str) -> tuple[float, bool]:
        """Every lookup of ``key``: how long the answers may be kept, and whether any question failed."""
        label = special_label(key)
        geo = self._geo.lookup(key) if self._geo is not None else NO_FACTS

        def local(parts: _Parts) -> None:
            parts.label, parts.geo = label, geo

        self._publish(key, local)
        options, resolver = self._options, self._resolver
        if resolver is None:
            return LOCAL_TTL, False
        jobs: list[Coroutine[Any, Any, DnsResult]] = []
        if options.rdns_enabled:
            jobs.append(self._reverse(resolver, key))
        if options.asn_enabled and (label is None or options.lookup_private):
            jobs.append(self._origin(resolver, key))
        async with self._semaphore:
            results = await asyncio.gather(*jobs)
        return min((LOCAL_TTL, *(r.ttl for r in results))), any(r.failed for r in results)

    async def _reverse(self, resolver: dns.asyncresolver.Resolver, key: str) -> DnsResult:
        result = await reverse_lookup(resolver, key, self._options.timeout)
        if not result.failed:
            hostname = result.texts[0] if result.texts else None

            def update(parts: _Parts) -> None:
                parts.hostname = hostname

            self._publish(key, update)
        return result

    async def _origin(self, resolver: dns.asyncresolver.Resolver, key: str) -> DnsResult:
        origin, result = await lookup_origin(resolver, key, self._options.timeout)
        if result.failed:
            return result

        def set_origin(parts: _Parts) -> None:
            parts.origin = origin

        self._publish(key, set_origin)
        if origin is not None:
            description = await self._describe(resolver, origin.asn)

            def set_description(parts: _Parts) -> None:
                if description is not None:
                    parts.description = description

            self._publish(key, set_description)
        return result

    async def _describe(self, resolver: dns.asyncresolver.Resolver, asn: int) -> AsDescription | None:
        hit, cached = self._as_cache.lookup(str(asn))
        if hit:
            return cached
        task = self._as_tasks.get(asn)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._fetch_description(resolver, asn))
            self._as_tasks[asn] = task
        return await asyncio.shield(task)

    async def _fetch_description(
        self, resolver: dns.asyncresolver.Resolver, asn: int,
    ) -> AsDescription | None:
        """Ask for AS ``asn``'s name once for every address that shares it.

        The answer goes into the cache in the same step that retires the task, so a caller arriving later
        finds one or the other: never neither, which would send the question again.
        """
        try:
            description, result = await lookup_as_description(resolver, asn, self._options.timeout)
            self._as_cache.put(str(asn), description, result.ttl)
            return description
        finally:
            self._as_tasks.pop(asn, None)

