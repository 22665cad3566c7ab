"""One DNS question, asked without ever raising and with a hard deadline.

Reverse DNS and the Team Cymru ASN lookups are both "ask the configured resolver one question and take the
strings out of the answer". This module owns the resolver configuration (``--dns-server`` or the system's) and
turns every outcome -- answer, NXDOMAIN, SERVFAIL, silence, garbage -- into one small value.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Final

import dns.asyncresolver
import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from tuitrace.enrich.options import EnrichOptions

NEGATIVE_TTL: Final = 300.0
FAILURE_TTL: Final = 30.0
MIN_TTL: Final = 30.0
MAX_TTL: Final = 86400.0


@dataclass(frozen=True, slots=True)
class DnsResult:
    """The strings of an answer (PTR targets or TXT texts) and how long they may be kept.

    ``failed`` means the resolver did not give a usable answer (timeout, SERVFAIL, refused, garbage): retry
    later, keep any older answer meanwhile. An empty ``texts`` without ``failed`` is a real "no such name".
    """

    texts: tuple[str, ...]
    ttl: float
    failed: bool = False


FAILED: Final = DnsResult((), FAILURE_TTL, failed=True)


def make_resolver(options: EnrichOptions) -> dns.asyncresolver.Resolver:
    """A resolver for ``--dns-server`` (or the system's); raises ``dns.resolver.NoResolverConfiguration``."""
    server = options.nameserver
    if server is None:
        resolver = dns.asyncresolver.Resolver()
    else:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(server[0], server[1])]
    resolver.timeout = options.timeout
    resolver.lifetime = options.timeout
    resolver.cache = None
    return resolver


def _text_of(rdata: object) -> str:
    strings = getattr(rdata, "strings", None)
    if strings is not None:
        return b"".join(strings).decode("utf-8", errors="replace")
    target = getattr(rdata, "target", None)
    if isinstance(target, dns.name.Name):
        return target.to_text(omit_final_dot=True)
    return str(rdata)


async def ask(resolver: dns.asyncresolver.Resolver, qname: str, rdtype: str, timeout: float) -> DnsResult:
    """Ask one question; never raises except ``asyncio.CancelledError``."""
    try:
        name = dns.name.from_text(qname)
        answer = await asyncio.wait_for(
            resolver.resolve(name, dns.rdatatype.from_text(rdtype), search=False, raise_on_no_answer=False),
            timeout=timeout + 0.5,
        )
    except dns.resolver.NXDOMAIN:
        return DnsResult((), NEGATIVE_TTL)
    except (dns.exception.DNSException, OSError, TimeoutError, ValueError):
        return FAILED
    if answer.rrset is None:
        return DnsResult((), NEGATIVE_TTL)
    ttl = min(max(float(answer.rrset.ttl), MIN_TTL), MAX_TTL)
    return DnsResult(tuple(_text_of(rdata) for rdata in answer.rrset), ttl)
