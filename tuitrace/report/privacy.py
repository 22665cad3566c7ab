"""Privacy for tickets: hide the first hops (and the target) before a screen, report or recording leaves.

A screenshot pasted into a ticket or a report sent to a provider shows the inside of a network: the
gateway's address, internal router names, the office's AS and city. ``--privacy N`` (key ``x`` on screen)
hides the address, name, AS and place of every responder at hops 1..N as ``hidden``; the row stays, with
its numbers, so the path still reads. ``--hide-target`` hides the target's name and address too.

Redaction works on the values everything else is made from: the snapshot (and so the table, the strip, the
chart, the findings and every report built from it), the events (their address and their sentence), a
``--stream`` round, and a single probe result (for a recording). A hidden responder becomes ``hidden``
(``hidden-2``, ``hidden-3`` for more responders at one hop, so ECMP rows stay apart), and
``hidden_lookup`` answers nothing for it, so no name, AS or place can come back through the lookups.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from tuitrace.stats.snapshot import HopSnapshot, TraceSnapshot
from tuitrace.timeline.events import Event
from tuitrace.timeline.rounds import RoundRecord

HIDDEN = "hidden"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Privacy:
    """What to hide: the responders of hops 1..``hops`` (0: none) and, with ``hide_target``, the target."""

    hops: int = 0
    hide_target: bool = False

    @property
    def active(self) -> bool:
        return self.hops > 0 or self.hide_target

    def describe(self) -> str:
        """One line for the header and the screenshot's Markdown: what is hidden."""
        parts = ["hop 1" if self.hops == 1 else f"hops 1-{self.hops}"] if self.hops > 0 else []
        parts += ["the target"] if self.hide_target else []
        return f"{' and '.join(parts)} (addresses, names, AS, places)" if parts else "nothing"


def hidden_addresses(snapshot: TraceSnapshot, privacy: Privacy) -> dict[str, str]:
    """Each address to hide, with what it is shown as."""
    mapping: dict[str, str] = {}
    if privacy.hide_target:
        mapping[snapshot.target] = HIDDEN
    for hop in snapshot.hops:
        if hop.ttl > privacy.hops:
            continue
        for n, responder in enumerate(hop.responders):
            mapping.setdefault(responder.address, HIDDEN if n == 0 else f"{HIDDEN}-{n + 1}")
    return mapping


def _redact_hop(hop: HopSnapshot, mapping: dict[str, str]) -> HopSnapshot:
    if not any(r.address in mapping for r in hop.responders):
        return hop
    responders = tuple(replace(r, address=mapping.get(r.address, r.address)) for r in hop.responders)
    return replace(hop, responders=responders)


def redact_snapshot(snapshot: TraceSnapshot, privacy: Privacy) -> TraceSnapshot:
    """``snapshot`` with what ``privacy`` hides replaced by ``hidden``; the numbers stay. Unchanged hops are
    the same objects, so the table's memo still recognises them."""
    if not privacy.active:
        return snapshot
    mapping = hidden_addresses(snapshot, privacy)
    hops = tuple(_redact_hop(hop, mapping) for hop in snapshot.hops)
    target, host = snapshot.target, snapshot.host
    if target in mapping:
        target = mapping[target]
        if host == snapshot.target or privacy.hide_target:
            host = target
    return replace(snapshot, hops=hops, target=target, host=host)


def redact_text(text: str, mapping: dict[str, str]) -> str:
    """``text`` with every hidden address replaced (whole addresses only: ``10.0.0.1`` is not touched
    inside ``10.0.0.10``)."""
    if not mapping:
        return text
    pattern = "|".join(re.escape(a) for a in sorted(mapping, key=len, reverse=True))
    return re.sub(rf"(?<![\w.:])(?:{pattern})(?![\w:]|\.\d)", lambda m: mapping[m.group(0)], text)


def redact_events(events: Iterable[Event], snapshot: TraceSnapshot, privacy: Privacy,
                  host: str | None = None) -> list[Event]:
    """The events with hidden addresses (and, with ``hide_target``, the target's name ``host``) replaced
    in their ``address`` and their sentence."""
    events = list(events)
    if not privacy.active:
        return events
    mapping = hidden_addresses(snapshot, privacy)
    if privacy.hide_target and host and host != snapshot.target:
        mapping[host] = HIDDEN
    out = []
    for event in events:
        address = mapping.get(event.address, event.address) if event.address is not None else None
        out.append(replace(event, address=address, text=redact_text(event.text, mapping)))
    return out


def redact_round(record: RoundRecord, privacy: Privacy, target: str) -> RoundRecord:
    """A ``--stream`` round line's record with the responders of hidden hops (and the target) hidden."""
    if not privacy.active:
        return record
    def hidden(ttl: int, address: str | None) -> bool:
        return address is not None and (ttl <= privacy.hops or (privacy.hide_target and address == target))

    hops = tuple(replace(hop, address=HIDDEN) if hidden(hop.ttl, hop.address) else hop for hop in record.hops)
    return replace(record, hops=hops)


def redact_event(event: Event, privacy: Privacy, target: str, host: str) -> Event:
    """One event as it is found (``--stream``, before any snapshot): its address hidden when its hop is,
    and the target's address and name with ``hide_target``."""
    mapping: dict[str, str] = {}
    if event.address is not None and event.ttl is not None and event.ttl <= privacy.hops:
        mapping[event.address] = HIDDEN
    if privacy.hide_target:
        mapping[target] = HIDDEN
        if host and host != target:
            mapping[host] = HIDDEN
    if not mapping:
        return event
    address = mapping.get(event.address, event.address) if event.address is not None else None
    return replace(event, address=address, text=redact_text(event.text, mapping))


def hidden_lookup(lookup: Callable[[str], T] | None) -> Callable[[str], T | None] | None:
    """``lookup`` that knows nothing about hidden responders (no name, AS or place comes back)."""
    if lookup is None:
        return None
    inner = lookup

    def private(address: str) -> T | None:
        return None if address.startswith(HIDDEN) else inner(address)

    return private


def redact_words(words: Sequence[str], snapshot: TraceSnapshot, privacy: Privacy) -> list[str]:
    """A command line with the target's name and address hidden (``--hide-target``)."""
    if not privacy.hide_target:
        return list(words)
    secret = {snapshot.host, snapshot.target}
    return [HIDDEN if word in secret else word for word in words]
