"""Address text <-> bytes, cached: a trace meets a handful of addresses millions of times, and parsing
them with ``ipaddress`` on every packet was the largest cost of the whole receive path."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

_CACHE = 4096


@lru_cache(maxsize=_CACHE)
def packed(text: str) -> tuple[bytes, int]:
    """The network-order bytes of an address and its version; ``ValueError`` when it is not one."""
    address = ipaddress.ip_address(text)
    return address.packed, address.version


def packed_v(text: str, version: int) -> bytes:
    raw, found = packed(text)
    if found != version:
        raise ValueError(f"{text} is not an IPv{version} address")
    return raw


@lru_cache(maxsize=_CACHE)
def v4_text(raw: bytes) -> str:
    return str(ipaddress.IPv4Address(raw))


@lru_cache(maxsize=_CACHE)
def v6_text(raw: bytes) -> str:
    return str(ipaddress.IPv6Address(raw))
