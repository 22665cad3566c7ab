"""Hand-built snapshots for the rule tests: a hop is (address or None, sent, received) plus options."""

from __future__ import annotations

from dataclasses import dataclass

from tuitrace.config import Mode, Protocol, Setting
from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, RttSummary, RunState, TraceSnapshot

TARGET = "198.51.100.9"
ICMP = Setting(Protocol.ICMP, None)


@dataclass(frozen=True, slots=True)
class Hop:
    address: str | None
    sent: int
    received: int
    marks: tuple[str, ...] = ()
    reply_ttl: int | None = None


def snapshot(hops: list[Hop], *, setting: Setting = ICMP,
             reached: bool | None = None) -> TraceSnapshot:
    built: list[HopSnapshot] = []
    path_length = None
    for ttl, hop in enumerate(hops, start=1):
        responders: tuple[ResponderSnapshot, ...] = ()
        if hop.address is not None and hop.received > 0:
            is_target = hop.address == TARGET
            reply_ttl = hop.reply_ttl if hop.reply_ttl is not None else 65 - ttl
            responders = (ResponderSnapshot(hop.address, hop.received, 100.0, RttSummary(), hop.marks,
                                            is_target, reply_ttl),)
            if is_target or hop.marks:
                path_length = path_length or ttl
        built.append(HopSnapshot(ttl, hop.sent, hop.received, RttSummary(), responders, ()))
    return TraceSnapshot(
        host=TARGET, target=TARGET, family=4, setting=setting, mode=Mode.SIMULATED, interval=1.0,
        sendwait=0.0, wait=1.0, max_ttl=30, state=RunState.FINISHED, rounds=max(h.sent for h in hops),
        elapsed=1.0, reached=path_length is not None if reached is None else reached,
        path_length=path_length, hops=tuple(built), probes_sent=sum(h.sent for h in hops), dropped=0,
    )
