"""Reverse DNS: the PTR name of a responder, which is often the most telling thing about a router.

Names like ``ae-1.r21.frnkge13.de.bb.example.net`` carry the city and the carrier. Internal router names
matter too, so private addresses are asked as well (to the configured resolver only), as mtr does.
"""

from __future__ import annotations

import dns.asyncresolver
import dns.exception
import dns.reversename

from tuitrace.enrich.dnsquery import FAILED, DnsResult, ask


def ptr_name(address: str) -> str | None:
    """The ``in-addr.arpa`` / ``ip6.arpa`` name to ask for, or None for a non-address."""
    try:
        return dns.reversename.from_address(address).to_text()
    except (dns.exception.SyntaxError, ValueError):
        return None


def _clean_hostname(text: str) -> str | None:
    """The name without its final dot; dnspython already escapes unprintable bytes (``\\027``), and the
    enricher makes whatever is left inert (``tuitrace.enrich.inert``)."""
    name = text.rstrip(".").strip()
    return name or None


async def reverse_lookup(resolver: dns.asyncresolver.Resolver, address: str, timeout: float) -> DnsResult:
    """The first usable PTR name of ``address`` (in ``texts``), nothing for NXDOMAIN, ``failed`` otherwise."""
    qname = ptr_name(address)
    if qname is None:
        return FAILED
    result = await ask(resolver, qname, "PTR", timeout)
    names = tuple(name for name in map(_clean_hostname, result.texts) if name)
    return DnsResult(names[:1], result.ttl, result.failed)
