"""Origin AS of an address from Team Cymru's IP-to-ASN service over DNS.

One TXT query per address (``origin.asn.cymru.com`` / ``origin6.asn.cymru.com``) gives the origin AS, the
announced prefix and the registry; one more per AS (``AS<n>.asn.cymru.com``) gives its name. DNS keeps this
cheap, cacheable and answerable by a corporate resolver that carries its own AS data (``--lookup-private``).
The parsers take the TXT strings apart defensively: anything malformed is "unknown", never an error; the AS
name is kept as the registry wrote it, and the enricher makes it inert before anyone shows it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

import dns.asyncresolver

from tuitrace.enrich.dnsquery import DnsResult, ask

CYMRU_ZONE: Final = "asn.cymru.com"
_UNKNOWN_COUNTRY: Final = frozenset({"", "ZZ", "--", "XX"})
_MAX_ASN: Final = 2**32 - 1


@dataclass(frozen=True, slots=True)
class Origin:
    """The origin AS of the most specific announced prefix covering an address."""

    asn: int
    prefix: str | None
    country: str | None
    registry: str | None


@dataclass(frozen=True, slots=True)
class AsDescription:
    """What Cymru says about an AS itself."""

    asn: int
    name: str | None
    country: str | None
    registry: str | None


def origin_qname(address: str, zone: str = CYMRU_ZONE) -> str | None:
    """``4.3.2.1.origin.asn.cymru.com.`` or the nibble form under ``origin6``; None for a non-address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 4:
        return ".".join(reversed(str(ip).split("."))) + f".origin.{zone}."
    nibbles = ip.exploded.replace(":", "")
    return ".".join(reversed(nibbles)) + f".origin6.{zone}."


def as_qname(asn: int, zone: str = CYMRU_ZONE) -> str:
    """``AS64500.asn.cymru.com.``"""
    return f"AS{asn}.{zone}."


def _fields(text: str) -> list[str]:
    return [field.strip() for field in text.split("|")]


def _asn_of(text: str) -> int | None:
    words = text.split(maxsplit=1)
    token = words[0] if words else ""
    token = token.removeprefix("AS").removeprefix("as")
    if not token.isdigit() or not 0 < int(token) <= _MAX_ASN:
        return None
    return int(token)


def _country(text: str) -> str | None:
    code = text.strip().upper()
    if code in _UNKNOWN_COUNTRY or len(code) != 2 or not code.isalpha():
        return None
    return code


def _registry(text: str) -> str | None:
    value = text.strip().lower()
    return value if value and value.isprintable() and len(value) <= 32 else None


def parse_origin(text: str) -> Origin | None:
    """``"64500 | 192.0.2.0/24 | ZZ | arin | 2020-01-01"``; None when the text is not in that shape."""
    fields = _fields(text)
    if len(fields) < 3:
        return None
    asn = _asn_of(fields[0])
    if asn is None:
        return None
    try:
        prefix: str | None = str(ipaddress.ip_network(fields[1], strict=False))
    except ValueError:
        prefix = None
    registry = _registry(fields[3]) if len(fields) > 3 else None
    return Origin(asn, prefix, _country(fields[2]), registry)


def parse_as_description(text: str) -> AsDescription | None:
    """``"64500 | ZZ | arin | 2020-01-01 | EXAMPLE-AS, ZZ"``; None when the text is not in that shape."""
    fields = _fields(text)
    if len(fields) < 5:
        return None
    asn = _asn_of(fields[0])
    if asn is None:
        return None
    country = _country(fields[1])
    name = "|".join(fields[4:]).strip()
    head, sep, tail = name.rpartition(",")
    if sep and len(tail.strip()) == 2 and tail.strip().isalpha():
        name = head.strip()
    return AsDescription(asn, name or None, country, _registry(fields[2]))


def best_origin(texts: tuple[str, ...]) -> Origin | None:
    """The origin with the longest prefix among several TXT answers (unparseable ones are skipped)."""
    origins = [origin for origin in map(parse_origin, texts) if origin is not None]

    def specificity(origin: Origin) -> int:
        return ipaddress.ip_network(origin.prefix).prefixlen if origin.prefix else -1

    return max(origins, key=specificity, default=None)


async def lookup_origin(
    resolver: dns.asyncresolver.Resolver, address: str, timeout: float, zone: str = CYMRU_ZONE,
) -> tuple[Origin | None, DnsResult]:
    """The parsed origin of ``address`` (None if unknown) and the raw result for caching decisions."""
    qname = origin_qname(address, zone)
    if qname is None:
        return None, DnsResult((), 0.0, failed=True)
    result = await ask(resolver, qname, "TXT", timeout)
    return best_origin(result.texts), result


async def lookup_as_description(
    resolver: dns.asyncresolver.Resolver, asn: int, timeout: float, zone: str = CYMRU_ZONE,
) -> tuple[AsDescription | None, DnsResult]:
    """The parsed description of AS ``asn`` (None if unknown) and the raw result."""
    result = await ask(resolver, as_qname(asn, zone), "TXT", timeout)
    parsed = (parse_as_description(text) for text in result.texts)
    return next((d for d in parsed if d is not None and d.asn == asn), None), result
