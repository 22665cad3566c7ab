"""How the user configures enrichment: the one value the command line turns into, and its parts.

The command line (``tuitrace.cli``) builds :class:`EnrichOptions`; everything below it sees only that value,
so the lookups can be tested without argparse. No argparse here.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

GEOIP_ENV: Final = "TUITRACE_GEOIP_DB"
DEFAULT_GEOIP_DIRS: Final[tuple[str, ...]] = ("/usr/share/GeoIP", "/var/lib/GeoIP", "/usr/local/share/GeoIP")
DEFAULT_RDAP_URL: Final = "https://rdap-bootstrap.arin.net/bootstrap"
DNS_PORT: Final = 53


@dataclass(frozen=True, slots=True)
class EnrichOptions:
    """Which lookups run, against which servers and files, and how patiently."""

    dns: bool = True
    asn: bool = True
    dns_server: str | None = None
    geoip_paths: tuple[str, ...] = ()
    geoip_search_dirs: tuple[str, ...] = DEFAULT_GEOIP_DIRS
    lookup_private: bool = False
    no_lookups: bool = False
    timeout: float = 2.0
    concurrency: int = 16
    rdap_url: str = DEFAULT_RDAP_URL
    rdap_interval: float = 2.0

    def __post_init__(self) -> None:
        if self.dns_server is not None:
            parse_dns_server(self.dns_server)
        if not self.timeout > 0:
            raise ValueError(f"lookup timeout must be positive, not {self.timeout}")
        if self.concurrency < 1:
            raise ValueError(f"lookup concurrency must be at least 1, not {self.concurrency}")

    @property
    def rdns_enabled(self) -> bool:
        """Reverse DNS queries may be sent."""
        return self.dns and not self.no_lookups

    @property
    def asn_enabled(self) -> bool:
        """Team Cymru ASN queries may be sent."""
        return self.asn and not self.no_lookups

    @property
    def rdap_enabled(self) -> bool:
        """RDAP (whois) queries may be sent on demand."""
        return not self.no_lookups

    @property
    def nameserver(self) -> tuple[str, int] | None:
        """The resolver as ``(address, port)``, or None for the system's."""
        return None if self.dns_server is None else parse_dns_server(self.dns_server)


def parse_dns_server(text: str) -> tuple[str, int]:
    """``ADDR``, ``ADDR:PORT``, ``V6ADDR`` or ``[V6ADDR]:PORT`` as ``(address, port)``; ValueError if bad."""
    spec = text.strip()
    port_text: str | None = None
    if spec.startswith("["):
        host, sep, rest = spec[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"bad DNS server {text!r}: use ADDR, ADDR:PORT or [IPV6]:PORT")
        port_text = rest[1:] if rest else None
    elif spec.count(":") == 1:
        host, _, port_text = spec.partition(":")
    else:
        host = spec
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"bad DNS server {text!r}: {host!r} is not an IP address") from None
    port = DNS_PORT
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"bad DNS server {text!r}: port must be 1-65535")
        port = int(port_text)
    return str(address), port


def geoip_paths_from_env(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The database paths in ``$TUITRACE_GEOIP_DB`` (``os.pathsep``-separated)."""
    return tuple(part for part in environ.get(GEOIP_ENV, "").split(os.pathsep) if part.strip())


def find_geoip_files(search_dirs: Sequence[str]) -> list[str]:
    """``*.mmdb`` files in the usual directories, sorted by name within each directory."""
    found: list[str] = []
    for directory in search_dirs:
        try:
            found.extend(str(p) for p in sorted(Path(directory).glob("*.mmdb")) if p.is_file())
        except OSError:
            continue
    return found


def geoip_help(
    environ: Mapping[str, str] | None = None, search_dirs: Sequence[str] = DEFAULT_GEOIP_DIRS,
) -> str:
    """A paragraph for ``--help`` saying which GeoIP databases tuitrace would use, and how to get one."""
    env = os.environ if environ is None else environ
    configured = geoip_paths_from_env(env)
    where = ", ".join(search_dirs)
    if configured:
        status = f"GeoIP databases from ${GEOIP_ENV}: {', '.join(configured)}."
    elif files := find_geoip_files(search_dirs):
        status = f"GeoIP databases found: {', '.join(files)}."
    else:
        status = f"No GeoIP database found (looked in {where}): places stay empty."
    return (
        f"{status} Places come from MaxMind-format .mmdb files: free GeoLite2 City/ASN (geoipupdate, needs a "
        "free MaxMind account), DB-IP Lite (db-ip.com/db/lite.php) or IPinfo Lite (ipinfo.io). Put them in "
        f"{search_dirs[0] if search_dirs else '/usr/share/GeoIP'}, or pass --geoip-db PATH or set "
        f"${GEOIP_ENV}."
    )
