"""Everything known about the responders of one hop, as labelled lines for the detail view.

The detail view answers "who is this router and how is it doing": its names, owner and place from the
enrichment caches, its own statistics, and the owner details that RDAP returns on demand. Kept free of
Textual so the screen stays a thin shell and the wording is tested directly. RDAP's dict comes from
ipwhois and from servers we do not control, so every field is read defensively: an odd shape leaves a
line out, it never raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, TraceSnapshot
from tuitrace.ui.enrichment import EnrichInfo
from tuitrace.ui.format import fmt_ms, fmt_pct

if TYPE_CHECKING:  # rdap imports urllib and a thread pool; only its result type is needed here
    from tuitrace.enrich.rdap import DetailResult

LOOKING_UP = "looking up…"
MAX_ENTITIES = 8
"""Owner entities shown per network; registries list contacts by the dozen, the first ones matter."""
INITIAL_TTLS = (64, 128, 255)


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str
    style: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """One responder: its address (and name) as the title, then everything known about it."""

    title: str
    facts: tuple[Fact, ...]
    owner: tuple[Fact, ...]
    """What RDAP says about the owner of the address (or why it says nothing)."""


@dataclass(frozen=True, slots=True)
class Details:
    """What the detail view shows for its selection in one snapshot."""

    title: str
    summary: str
    addresses: tuple[str, ...]
    """The responders shown, whose RDAP details the view asks for."""
    sections: tuple[Section, ...]


def find_hop(snapshot: TraceSnapshot, ttl: int) -> HopSnapshot | None:
    return next((hop for hop in snapshot.hops if hop.ttl == ttl), None)


def details(snapshot: TraceSnapshot, ttl: int, address: str | None,
            lookup: Callable[[str], EnrichInfo | None] | None, rdap: Mapping[str, DetailResult]) -> Details:
    """The view of hop ``ttl`` (every responder) or of one responder at it (``address``).

    ``rdap`` holds the RDAP answers that arrived, by address; a missing address is still being looked up.
    """
    hop = find_hop(snapshot, ttl)
    responders = {r.address: r for r in hop.responders} if hop is not None else {}
    addresses = (address,) if address is not None else tuple(responders)
    sections = []
    for shown in addresses:
        info = lookup(shown) if lookup is not None else None
        name = info.hostname if info is not None else None
        facts = responder_facts(shown, responders.get(shown), hop, info)
        sections.append(Section(f"{shown}  {name}" if name else shown, tuple(facts),
                                tuple(rdap_facts(rdap.get(shown)))))
    title = f"Hop {ttl}" + (f": {address}" if address is not None else "") + f"  ({snapshot.setting.label})"
    return Details(title, hop_summary(ttl, hop), addresses, tuple(sections))


def hop_summary(ttl: int, hop: HopSnapshot | None) -> str:
    """One line about the whole hop: probes, replies, loss, responders."""
    if hop is None:
        return f"TTL {ttl}: no longer in the trace (the path is shorter now)"
    if hop.sent == 0:
        return f"TTL {ttl}: no probe resolved yet"
    text = f"TTL {ttl}: {hop.received} of {hop.sent} probes answered, loss {fmt_pct(hop.loss_pct)}"
    if len(hop.responders) > 1:
        text += f", {len(hop.responders)} responders (ECMP)"
    elif not hop.responders:
        text += ": no router answered at this TTL (it drops or rate-limits ICMP, or a firewall does)"
    return text


def _rtt_line(responder: ResponderSnapshot) -> str:
    rtt = responder.rtt
    parts = [("last", rtt.last_ms), ("avg", rtt.avg_ms), ("best", rtt.best_ms), ("worst", rtt.worst_ms),
             ("stdev", rtt.stdev_ms), ("jitter", rtt.jitter_ms)]
    return "  ".join(f"{name} {fmt_ms(value)}" for name, value in parts if value is not None)


def return_path(reply_ttl: int, ttl: int) -> str:
    """What the reply's TTL says about the way back (traceroute's ``--back``)."""
    initial = next((start for start in INITIAL_TTLS if reply_ttl <= start), 255)
    back = initial - reply_ttl + 1
    text = f"{reply_ttl} (sent with {initial}: about {back} hop{'s' if back != 1 else ''} back"
    if back != ttl:
        text += f", {ttl} forward: the return path may differ"
    return text + ")"


def responder_facts(address: str, responder: ResponderSnapshot | None, hop: HopSnapshot | None,
                    info: EnrichInfo | None) -> list[Fact]:
    """Names, owner, place and statistics of one responder (no RDAP); ``responder`` is ``None`` when the
    address has not answered at this TTL in the current protocol and port."""
    info = info or EnrichInfo()
    facts: list[Fact] = []
    if responder is not None and responder.is_target:
        facts.append(Fact("Role", "the destination", "bold"))
    facts.append(Fact("Host name", info.hostname or "(no name known)", "" if info.hostname else "dim"))
    if info.label:
        facts.append(Fact("Kind", info.label))
    facts.append(Fact("AS", info.as_text or "(unknown)", "" if info.as_text else "dim"))
    if info.prefix or info.registry:
        registry = f"registry {info.registry}" if info.registry else ""
        facts.append(Fact("Prefix", _joined(info.prefix or "", registry)))
    facts.append(Fact("Place", info.place or "(unknown)", "" if info.place else "dim"))
    if responder is None or hop is None:
        facts.append(Fact("Replies", f"none from {address} at this TTL with the current protocol and port",
                          "dim"))
        return facts
    share = f"{responder.received} of {hop.received} replies at this TTL ({responder.share_pct:.0f}%)"
    facts.append(Fact("Replies", share))
    rtts = _rtt_line(responder)
    if rtts:
        facts.append(Fact("RTT ms", rtts))
    if responder.annotations:
        facts.append(Fact("Annotations", " ".join(responder.annotations), "bold"))
    if responder.reply_ttl is not None:
        facts.append(Fact("Reply TTL", return_path(responder.reply_ttl, hop.ttl)))
    if responder.mpls:
        facts.append(Fact("MPLS labels", "; ".join(entry.text for entry in responder.mpls)))
    return facts


# -- RDAP -----------------------------------------------------------------------------------------

def _text(value: object) -> str:
    """A scalar as one line; anything else as ``""``."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return " ".join(str(value).split())


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _values(entries: object) -> str:
    """ipwhois's ``[{"type": ..., "value": ...}]`` lists (emails, phones, addresses) as one line."""
    found = [_text(_mapping(entry).get("value")) for entry in _items(entries)]
    return "; ".join(dict.fromkeys(value for value in found if value))


def _joined(*parts: str, sep: str = "  ") -> str:
    return sep.join(part for part in parts if part)


def _network_facts(network: Mapping[str, Any]) -> list[Fact]:
    facts: list[Fact] = []
    name, handle = _text(network.get("name")), _text(network.get("handle"))
    if name or handle:
        facts.append(Fact("Network", _joined(name, f"({handle})" if handle and name else handle, sep=" ")))
    span = _text(network.get("cidr"))
    if not span:
        start, end = _text(network.get("start_address")), _text(network.get("end_address"))
        span = _joined(start, end, sep=" - ")
    kind = _text(network.get("type"))
    if span or kind:
        facts.append(Fact("Range", _joined(span, kind)))
    country = _text(network.get("country"))
    if country:
        facts.append(Fact("Country", country))
    parent = _text(network.get("parent_handle"))
    if parent:
        facts.append(Fact("Parent", parent))
    for event in _items(network.get("events")):
        action, when = _text(_mapping(event).get("action")), _text(_mapping(event).get("timestamp"))
        if action and when:
            facts.append(Fact(action.capitalize(), when[:10]))
    for remark in _items(network.get("remarks"))[:2]:
        description = _text(_mapping(remark).get("description"))
        if description:
            facts.append(Fact("Remark", description, "dim"))
    return facts


def _entity_facts(handles: Iterable[Any], objects: Mapping[str, Any]) -> list[Fact]:
    facts: list[Fact] = []
    for handle in list(handles)[:MAX_ENTITIES]:
        entity = _mapping(objects.get(handle)) if isinstance(handle, str) else {}
        contact = _mapping(entity.get("contact"))
        roles = ", ".join(_text(role) for role in _items(entity.get("roles")) if _text(role))
        name = _text(contact.get("name")) or _text(handle)
        kind = _text(contact.get("kind"))
        who = _joined(name, f"({kind})" if kind else "", sep=" ")
        if not who:
            continue
        facts.append(Fact(roles.capitalize() or "Entity", who))
        for label, key in (("  email", "email"), ("  phone", "phone"), ("  address", "address")):
            value = _values(contact.get(key))
            if value:
                facts.append(Fact(label, value, "dim"))
    return facts


def rdap_facts(result: DetailResult | None) -> list[Fact]:
    """RDAP's answer as lines: ``None`` while it is on its way, a reason (``str``), or ipwhois's dict."""
    if result is None:
        return [Fact("Status", LOOKING_UP, "italic")]
    if isinstance(result, str):
        return [Fact("Status", result, "dim")]
    answer = _mapping(result)
    facts = _network_facts(_mapping(answer.get("network")))
    facts += _entity_facts(_items(answer.get("entities")), _mapping(answer.get("objects")))
    asn = _text(answer.get("asn"))
    if asn:
        facts.append(Fact("RDAP AS", _joined(f"AS{asn}", _text(answer.get("asn_description")))))
    return facts or [Fact("Status", "the registry answered without network or owner details", "dim")]
