"""What the one-event-at-a-time tracer tests share: an identity, a tracer started at time 0, and a round
sent."""

from __future__ import annotations

from dataclasses import replace

from tuitrace.config import TraceConfig
from tuitrace.probe.tracer import Tracer
from tuitrace.probe.types import LocalIdentity, Probe

SOURCE, TARGET = "192.0.2.1", "198.51.100.9"
IDENTITY = LocalIdentity(icmp_id=7, udp_port=40001, tcp_port=40002, source=SOURCE)


def started_tracer(**config: object) -> Tracer:
    """A tracer of ``TARGET`` with ``config``'s fields changed, started at time 0."""
    base = TraceConfig(target=TARGET, family=4, interval=1.0, wait=0.5)
    made = Tracer(replace(base, **config), IDENTITY)  # type: ignore[arg-type]
    made.start(0)
    return made


def send_round(t: Tracer, now: int) -> list[Probe]:
    probes = t.poll(now)
    for probe in probes:
        t.sent(probe, now)
    return probes
