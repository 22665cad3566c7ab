"""Statistics of one TTL and of each responder at it, bounded in memory however long the session runs."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.stats.rtt import RttAccumulator
from tuitrace.stats.snapshot import HopSnapshot, MplsEntry, ResponderSnapshot

HISTORY = 360
"""Probes of RTT history kept per hop: sparklines, the history strip and the RTT chart go back this far."""
MAX_RESPONDERS = 32
"""Responders tracked per hop; replies from further addresses count for the hop only."""
MAX_ANNOTATIONS = 8


@dataclass(slots=True)
class ResponderStats:
    address: str
    received: int = 0
    rtt: RttAccumulator = field(default_factory=RttAccumulator)
    annotations: dict[str, None] = field(default_factory=dict)
    is_target: bool = False
    reply_ttl: int | None = None
    mpls: tuple[MplsEntry, ...] = ()

    def add(self, result: ProbeResult, rtt_ms: float) -> None:
        self.received += 1
        self.rtt.add(rtt_ms)
        if result.annotation and len(self.annotations) < MAX_ANNOTATIONS:
            self.annotations[result.annotation] = None
        if result.outcome is _REACHED:
            self.is_target = True
        self.reply_ttl = result.reply_ttl
        if result.mpls:
            self.mpls = tuple(MplsEntry(m.label, m.traffic_class, int(m.bottom_of_stack), m.ttl)
                              for m in result.mpls)

    def snapshot(self, hop_received: int) -> ResponderSnapshot:
        share = 100.0 * self.received / hop_received if hop_received else 0.0
        return ResponderSnapshot(
            address=self.address,
            received=self.received,
            share_pct=share,
            rtt=self.rtt.summary(),
            annotations=tuple(self.annotations),
            is_target=self.is_target,
            reply_ttl=self.reply_ttl,
            mpls=self.mpls,
        )


@dataclass(slots=True)
class HopStats:
    ttl: int
    sent: int = 0
    received: int = 0
    rtt: RttAccumulator = field(default_factory=RttAccumulator)
    responders: dict[str, ResponderStats] = field(default_factory=dict)
    history: deque[float | None] = field(default_factory=lambda: deque(maxlen=HISTORY))

    def add(self, result: ProbeResult) -> None:
        self.sent += 1
        if result.responder is None or result.rtt_ns is None:
            self.history.append(None)
            return
        rtt_ms = result.rtt_ns / 1e6
        self.received += 1
        self.rtt.add(rtt_ms)
        self.history.append(rtt_ms)
        responder = self.responders.get(result.responder)
        if responder is None:
            if len(self.responders) >= MAX_RESPONDERS:
                return
            responder = self.responders[result.responder] = ResponderStats(result.responder)
        responder.add(result, rtt_ms)

    def snapshot(self) -> HopSnapshot:
        """Responders in the order they first answered, so ECMP rows do not jump around."""
        return HopSnapshot(
            ttl=self.ttl,
            sent=self.sent,
            received=self.received,
            rtt=self.rtt.summary(),
            responders=tuple(r.snapshot(self.received) for r in self.responders.values()),
            history=tuple(self.history),
        )


_REACHED = Outcome.REACHED
"""Enum members are properties of their class in Python 3.11: a plain name is cheaper per reply."""
