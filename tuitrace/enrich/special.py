"""Labels for private and special-purpose addresses.

Addresses from these ranges mean nothing to public registries: sending them to Team Cymru or an RDAP service
leaks the inside of the user's network and returns nothing useful. They are labelled locally instead
("private (RFC 1918)"), which is also what an engineer wants to read in the path.
"""

from __future__ import annotations

import ipaddress
from typing import Final

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Most specific ranges first where they overlap (the first match wins).
_SPECIAL: Final[tuple[tuple[str, str], ...]] = (
    ("0.0.0.0/8", "this network (RFC 791)"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared CGNAT (RFC 6598)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignment"),
    ("192.0.2.0/24", "documentation (TEST-NET-1)"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("198.18.0.0/15", "benchmarking (RFC 2544)"),
    ("198.51.100.0/24", "documentation (TEST-NET-2)"),
    ("203.0.113.0/24", "documentation (TEST-NET-3)"),
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"),
    ("240.0.0.0/4", "reserved"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::ffff:0:0/96", "IPv4-mapped"),
    ("64:ff9b:1::/48", "local-use NAT64 (RFC 8215)"),
    ("100::/64", "discard-only (RFC 6666)"),
    ("2001:db8::/32", "documentation (RFC 3849)"),
    ("2001:2::/48", "benchmarking (RFC 5180)"),
    ("3fff::/20", "documentation (RFC 9637)"),
    ("fc00::/7", "unique local (ULA)"),
    ("fe80::/10", "link-local"),
    ("ff00::/8", "multicast"),
)

_NETWORKS: Final[tuple[tuple[IPNetwork, str], ...]] = tuple(
    (ipaddress.ip_network(net), label) for net, label in _SPECIAL
)


def parse_address(address: str) -> IPAddress | None:
    """The address as an object, or None when it is not an IPv4/IPv6 address (scope ids are dropped)."""
    try:
        return ipaddress.ip_address(address.split("%", 1)[0].strip())
    except ValueError:
        return None


def special_label(address: str | IPAddress) -> str | None:
    """A short label when the address is private or special-purpose, else None (also for non-addresses)."""
    ip = parse_address(address) if isinstance(address, str) else address
    if ip is None:
        return None
    for network, label in _NETWORKS:
        if ip.version == network.version and ip in network:
            return label
    return None
