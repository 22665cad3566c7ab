""""Compare with mine": where an Atlas probe's path and the local path share hops.

Two paths toward one target from different places usually join somewhere (the target's network, a big
transit AS). A hop of the Atlas path is shared when one of its responders also answered on the local path
(same address), or, when lookups are on, belongs to an AS that answered there (same AS). The address is
the stronger match and wins; each Atlas hop is listed once, with the local TTL where the match was first
seen. The list is small, plain data, and the overview shows it as one short note.
"""

from __future__ import annotations

from typing import Any

from tuitrace.report.model import Lookup, info_for
from tuitrace.stats.snapshot import TraceSnapshot


def shared_hops(atlas: TraceSnapshot, local: TraceSnapshot, lookup: Lookup | None) -> list[dict[str, Any]]:
    """``[{"ttl", "local_ttl", "address", "match": "address"|"as", "asn"}]`` in the Atlas path's order."""
    by_address: dict[str, int] = {}
    by_as: dict[int, int] = {}
    for hop in local.hops:
        for responder in hop.responders:
            by_address.setdefault(responder.address, hop.ttl)
            asn = info_for(lookup, responder.address).asn if lookup is not None else None
            if asn is not None:
                by_as.setdefault(asn, hop.ttl)
    shared: list[dict[str, Any]] = []
    for hop in atlas.hops:
        same_as: dict[str, Any] | None = None
        for responder in hop.responders:
            address = responder.address
            asn = info_for(lookup, address).asn if lookup is not None else None
            if address in by_address:
                shared.append({"ttl": hop.ttl, "local_ttl": by_address[address], "address": address,
                               "match": "address", "asn": asn})
                same_as = None
                break
            if same_as is None and asn is not None and asn in by_as:
                same_as = {"ttl": hop.ttl, "local_ttl": by_as[asn], "address": address, "match": "as",
                           "asn": asn}
        if same_as is not None:
            shared.append(same_as)
    return shared


def shared_note(shared: list[dict[str, Any]], compared: bool) -> str:
    """One short line for the overview: ``shares 3 hops with local from hop 7 (2 by address)``."""
    if not compared:
        return ""
    if not shared:
        return "shares no hop with local"
    exact = sum(1 for entry in shared if entry["match"] == "address")
    count = len(shared)
    return (f"shares {count} hop{'s' if count != 1 else ''} with local from hop {shared[0]['ttl']}"
            f" ({exact} by address)")
