"""Places (and a fallback AS) from local MaxMind-format databases.

GeoIP files are read locally, so they are consulted even under ``--no-lookups`` and for private addresses (a
company may map its own ranges). The three common free layouts differ: GeoLite2 and DB-IP Lite nest names
(``{"city": {"names": {"en": ...}}}``, ``autonomous_system_number``), IPinfo keeps flat strings
(``{"country": "DE", "asn": "AS64500", "as_name": ...}``). Each record is read by shape, not by file name,
so a renamed file still works. Missing or corrupt files become a one-line notice, never a crash.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

import maxminddb
from maxminddb.reader import Reader

from tuitrace.enrich.options import find_geoip_files

_LANGUAGE: Final = "en"


@dataclass(frozen=True, slots=True)
class GeoFacts:
    """What the local databases say about one address."""

    country: str | None = None
    city: str | None = None
    asn: int | None = None
    as_name: str | None = None
    prefix: str | None = None

    def filled_from(self, other: GeoFacts) -> GeoFacts:
        """These facts, with the gaps filled from ``other``."""
        return replace(
            self,
            country=self.country or other.country,
            city=self.city or other.city,
            asn=self.asn if self.asn is not None else other.asn,
            as_name=self.as_name or other.as_name,
            prefix=self.prefix or other.prefix,
        )


NO_FACTS: Final = GeoFacts()


def _text(value: object) -> str | None:
    """A non-blank string (the enricher makes it inert before anyone shows it)."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _name(value: object) -> str | None:
    """A place name: a plain string (IPinfo) or a ``names`` map (GeoLite2, DB-IP)."""
    if isinstance(value, Mapping):
        names = value.get("names")
        if isinstance(names, Mapping):
            return _text(names.get(_LANGUAGE)) or next(filter(None, map(_text, names.values())), None)
        return None
    return _text(value)


def _country(record: Mapping[str, object]) -> str | None:
    value = record.get("country")
    if isinstance(value, Mapping):
        return _text(value.get("iso_code")) or _name(value)
    code = _text(record.get("country_code"))
    if code:
        return code
    text = _text(value)
    return text.upper() if text and len(text) == 2 else text


def _asn(record: Mapping[str, object]) -> int | None:
    value = record.get("autonomous_system_number", record.get("asn"))
    if isinstance(value, str):
        value = value.strip().upper().removeprefix("AS")
        value = int(value) if value.isdigit() else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**32:
        return value
    return None


def _prefix(record: Mapping[str, object], address: str, prefix_len: int) -> str | None:
    for key in ("route", "network"):
        text = _text(record.get(key))
        if text:
            try:
                return str(ipaddress.ip_network(text, strict=False))
            except ValueError:
                continue
    try:
        return str(ipaddress.ip_network(f"{ipaddress.ip_address(address)}/{prefix_len}", strict=False))
    except ValueError:
        return None


def facts_from_record(record: object, address: str, prefix_len: int) -> GeoFacts:
    """Read one database record of any supported layout."""
    if not isinstance(record, Mapping):
        return NO_FACTS
    asn = _asn(record)
    as_name = _text(record.get("autonomous_system_organization")) or _text(record.get("as_name"))
    if as_name is None and "asn" in record:
        as_name = _text(record.get("name"))
    return GeoFacts(
        country=_country(record),
        city=_name(record.get("city")),
        asn=asn,
        as_name=as_name,
        prefix=_prefix(record, address, prefix_len) if asn is not None else None,
    )


class GeoIpDatabases:
    """The usable databases, opened once; lookups merge them in the order given."""

    def __init__(self, paths: Sequence[str], search_dirs: Sequence[str]) -> None:
        self.notices: list[str] = []
        self._readers: list[tuple[str, Reader]] = []
        candidates = list(paths) or find_geoip_files(search_dirs)
        for path in candidates:
            self._open(path)
        if not candidates:
            where = ", ".join(search_dirs) or "nowhere"
            self.notices.append(
                f"no GeoIP database found (looked in {where}): places stay empty; get a free GeoLite2, "
                "DB-IP Lite or IPinfo Lite .mmdb file and pass --geoip-db PATH (see --help)"
            )

    @property
    def paths(self) -> list[str]:
        """The databases that opened."""
        return [path for path, _ in self._readers]

    def _open(self, path: str) -> None:
        try:
            reader = maxminddb.open_database(path)
        except FileNotFoundError:
            self.notices.append(f"GeoIP database {path} not found")
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.notices.append(f"GeoIP database {path} is not a readable .mmdb file: {reason}")
        else:
            self._readers.append((path, reader))

    def lookup(self, address: str) -> GeoFacts:
        """Everything the databases know about ``address``; never raises."""
        facts = NO_FACTS
        for _path, reader in self._readers:
            try:
                record, prefix_len = reader.get_with_prefix_len(address)
            except (ValueError, TypeError, maxminddb.InvalidDatabaseError):
                continue
            if record is not None:
                facts = facts.filled_from(facts_from_record(record, address, prefix_len))
        return facts

    def close(self) -> None:
        """Release the files."""
        for _path, reader in self._readers:
            reader.close()
        self._readers.clear()
