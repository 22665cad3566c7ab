"""Immutable views of the statistics, handed to the UI and the reports.

The engine owns mutable counters; everything outside the engine sees only these frozen values, taken
at one instant, so a renderer never reads a number while the probing loop is changing it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from tuitrace.config import Mode, Setting


@dataclass(frozen=True, slots=True)
class RttSummary:
    """RTT statistics in milliseconds; every field is ``None`` until a reply arrived."""

    count: int = 0
    last_ms: float | None = None
    avg_ms: float | None = None
    best_ms: float | None = None
    worst_ms: float | None = None
    stdev_ms: float | None = None
    jitter_ms: float | None = None
    """|last - previous| RTT."""
    jitter_avg_ms: float | None = None
    jitter_max_ms: float | None = None
    jitter_interarrival_ms: float | None = None
    """RFC 3550's smoothed jitter, as mtr's ``I`` field."""
    geomean_ms: float | None = None
    median_ms: float | None = None
    """From :class:`~tuitrace.stats.sketch.QuantileSketch`: within 1 % of the exact nearest-rank value."""
    p95_ms: float | None = None


@dataclass(frozen=True, slots=True)
class MplsEntry:
    """One MPLS label stack entry a router reported (RFC 4950): label, traffic class, bottom of stack, TTL."""

    label: int
    tc: int
    s: int
    ttl: int

    @property
    def text(self) -> str:
        """As mtr ``-e`` writes it: ``Lbl 24001 TC 0 S 1 TTL 1``."""
        return f"Lbl {self.label} TC {self.tc} S {self.s} TTL {self.ttl}"


@dataclass(frozen=True, slots=True)
class ResponderSnapshot:
    """One address that answered at a TTL (several under ECMP)."""

    address: str
    received: int
    share_pct: float
    """This responder's part of the hop's replies."""
    rtt: RttSummary
    annotations: tuple[str, ...]
    """traceroute's marks seen from this responder: ``!H``, ``!X``, ``!F-1400``..."""
    is_target: bool
    """The reply came from the destination (echo reply, port unreachable, SYN-ACK/RST)."""
    reply_ttl: int | None
    """IP TTL (hop limit) of the latest reply, for return-path estimates."""
    mpls: tuple[MplsEntry, ...] = ()
    """The latest MPLS label stack this responder reported (RFC 4950), outermost first; empty if none."""


@dataclass(frozen=True, slots=True)
class HopSnapshot:
    ttl: int
    sent: int
    """Probes resolved at this TTL (answered or timed out); probes still in flight are not counted."""
    received: int
    rtt: RttSummary
    responders: tuple[ResponderSnapshot, ...]
    history: tuple[float | None, ...]
    """RTTs of the latest probes, oldest first; ``None`` for a lost probe."""

    @property
    def loss_pct(self) -> float:
        return 0.0 if self.sent == 0 else 100.0 * (self.sent - self.received) / self.sent

    @property
    def silent(self) -> bool:
        return self.received == 0


@dataclass(frozen=True, slots=True)
class TtlCheck:
    """A TCP trace's TTL check: ICMP echo requests sent to the destination beside the probes (counted here,
    never in a hop), and the reply TTLs of the TCP answers that carry the destination's address."""

    echo_sent: int
    echo_received: int
    echo_reply_ttls: tuple[tuple[int, int], ...]
    """(reply TTL, how many echo replies arrived with it), in TTL order."""
    answer_reply_ttls: tuple[tuple[int, int], ...]
    """(reply TTL, how many TCP answers from the destination's address arrived with it)."""


class RunState(enum.StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class TraceSnapshot:
    host: str
    target: str
    family: int
    setting: Setting
    mode: Mode
    interval: float
    sendwait: float
    wait: float
    max_ttl: int
    state: RunState
    rounds: int
    """Rounds whose probes have all been sent, for this setting."""
    elapsed: float
    """Seconds since this setting's statistics started."""
    reached: bool
    """The destination answers now: it answered at the end of the path and has not missed the last five
    probes there (see :mod:`tuitrace.probe.pathlearn`). One that answered early and then went silent for
    good is not reached."""
    path_length: int | None
    """TTL where the path ends: the lowest at which the destination (or a final ``!X``/``!H``/``!N``)
    answered; ``None`` while no final answer came. Rediscovery does not move it."""
    hops: tuple[HopSnapshot, ...]
    """TTL order up to ``path_length`` when known, else one past the highest TTL that answered; silent
    hops included, nothing beyond the end (probes there are rediscovery, not hops)."""
    probes_sent: int
    dropped: int
    """Received packets that did not parse or did not belong to us, counted and dropped."""
    settings: tuple[Setting, ...] = ()
    """Every setting that has statistics in this session, in the order first used."""
    ttl_check: TtlCheck | None = None
    """TCP settings only: the echo reference and the TTLs of the destination's TCP answers."""
    link: str | None = None
    """A trace that runs elsewhere (``--from``) and is not connected now: what happened and what comes
    next (``"disconnected: ...; connecting again in 2 s"``); ``None`` while connected, and for a local
    trace."""

    @property
    def port(self) -> int | None:
        return self.setting.port
