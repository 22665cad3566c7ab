"""Writers for small GeoIP databases in the layouts tuitrace reads, for the tests and the namespace lab.

Each function writes one ``.mmdb`` file with :mod:`mmdb_writer` in the record shape of a real free database:
GeoLite2 City / ASN (nested ``names`` maps, ``autonomous_system_*``), DB-IP Lite (the same shape under its own
database type) and IPinfo (flat strings, ``"AS64500"``). IPv6 databases with the IPv4 subtree, as shipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mmdb_writer import MMDBWriter
from netaddr import IPSet


@dataclass(frozen=True, slots=True)
class Place:
    country_code: str
    country_name: str
    city: str | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    asn: int
    name: str


def write_mmdb(path: Path, database_type: str, records: Mapping[str, Mapping[str, Any]]) -> Path:
    """Write ``records`` (network -> record) as an IPv6 database that also holds IPv4 networks."""
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type=database_type,
                        languages=["en"], description="tuitrace test database")
    for network, record in records.items():
        writer.insert_network(IPSet([network]), dict(record))
    writer.to_db_file(str(path))
    return path


def _names(name: str) -> dict[str, Any]:
    return {"names": {"en": name, "de": f"{name} (de)"}}


def _maxmind_city(place: Place) -> dict[str, Any]:
    record: dict[str, Any] = {
        "country": {"iso_code": place.country_code, **_names(place.country_name)},
        "registered_country": {"iso_code": "ZZ", **_names("Elsewhere")},
        "continent": {"code": "EU", **_names("Europe")},
        "location": {"latitude": 50.0, "longitude": 8.0},
    }
    if place.city is not None:
        record["city"] = _names(place.city)
    return record


def geolite2_city(path: Path, places: Mapping[str, Place]) -> Path:
    return write_mmdb(path, "GeoLite2-City", {net: _maxmind_city(p) for net, p in places.items()})


def geolite2_asn(path: Path, owners: Mapping[str, Owner]) -> Path:
    return write_mmdb(path, "GeoLite2-ASN", {
        net: {"autonomous_system_number": o.asn, "autonomous_system_organization": o.name}
        for net, o in owners.items()
    })


def dbip_city_lite(path: Path, places: Mapping[str, Place]) -> Path:
    return write_mmdb(path, "DBIP-City-Lite", {net: _maxmind_city(p) for net, p in places.items()})


def dbip_asn_lite(path: Path, owners: Mapping[str, Owner]) -> Path:
    return write_mmdb(path, "DBIP-ASN-Lite (compat=GeoLite2-ASN)", {
        net: {"autonomous_system_number": o.asn, "autonomous_system_organization": o.name}
        for net, o in owners.items()
    })


def ipinfo_lite(path: Path, entries: Mapping[str, tuple[Place, Owner]]) -> Path:
    """IPinfo Lite: country by name plus ``country_code``, AS as ``"AS64500"``."""
    return write_mmdb(path, "ipinfo_lite.mmdb", {
        net: {"asn": f"AS{o.asn}", "as_name": o.name, "as_domain": "lab.test", "country": p.country_name,
              "country_code": p.country_code, "continent": "Europe", "continent_code": "EU"}
        for net, (p, o) in entries.items()
    })


def ipinfo_country_asn(path: Path, entries: Mapping[str, tuple[Place, Owner]]) -> Path:
    """IPinfo's older free country+ASN file: ``country`` is the ISO code."""
    return write_mmdb(path, "ipinfo country_asn.mmdb", {
        net: {"country": p.country_code, "country_name": p.country_name, "continent": "EU",
              "asn": f"AS{o.asn}", "as_name": o.name, "as_domain": "lab.test"}
        for net, (p, o) in entries.items()
    })


def ipinfo_asn(path: Path, owners: Mapping[str, Owner]) -> Path:
    """IPinfo's ASN file: ``name`` and the announced ``route``."""
    return write_mmdb(path, "ipinfo asn.mmdb", {
        net: {"asn": f"AS{o.asn}", "name": o.name, "domain": "lab.test", "route": net, "type": "isp"}
        for net, o in owners.items()
    })
