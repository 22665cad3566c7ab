"""A day of tracing in minutes: the engine on the simulated network's virtual clock, memory and numbers
checked.

tuitrace is left running for days on a troubled link; it must neither grow nor drift. The path has 30 hops
(29 routers, the target at TTL 30), every RTT is fixed (no jitter, so each hop's average is exactly its
scenario RTT) and loss follows a deterministic pattern - the answer of hop ``ttl`` is lost in every round
whose number is a multiple of ``LOSS_PERIODS[ttl]`` - so after ``R`` rounds the expected loss of each hop is
known exactly. Memory is sampled as the process's resident set (``/proc/self/statm``) and the count of live
Python heap blocks (``sys.getallocatedblocks``) at fixed points of virtual time; "flat" compares the end with
the end of the warm-up.
"""

from __future__ import annotations

import gc
import os
import struct
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.fault.fuzzing import deliver
from tuitrace.config import TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.packet.checksum import internet_checksum
from tuitrace.packet.icmp import build_echo, build_icmp_error
from tuitrace.packet.ipv4 import build_ipv4
from tuitrace.probe.network import Layer
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.types import Probe, ProbeResult
from tuitrace.probe.wire import ECHO_PAYLOAD, ip_packet
from tuitrace.stats.snapshot import TraceSnapshot

HOPS = 30
ROUNDS_PER_SECOND = 10
SOURCE, TARGET = "192.0.2.1", "198.51.100.30"
LOSS_PERIODS = {7: 10, 15: 4, 22: 3, 29: 50}
"""TTL -> every n-th round (round numbers 0, n, 2n...) that hop's answer is lost."""
TARGET_RTT_MS = 40.0


def router(ttl: int) -> str:
    return f"203.0.113.{ttl}"


def rtt_ms(ttl: int) -> float:
    """Each hop's fixed RTT: 0.5 ms plus 1.25 ms per hop (exact in binary, so averages compare exactly)."""
    return TARGET_RTT_MS if ttl == HOPS else 0.5 + 1.25 * ttl


SCENARIO = {
    "path": {"family": 4, "source": SOURCE, "target": TARGET, "seed": 3},
    "hop": [{"responders": [router(ttl)], "rtt_ms": rtt_ms(ttl)} for ttl in range(1, HOPS)],
    "target": {"rtt_ms": TARGET_RTT_MS},
}


def lost_rounds(ttl: int, rounds: int) -> int:
    """How many of rounds 0..rounds-1 lose the answer of ``ttl`` under the pattern."""
    period = LOSS_PERIODS.get(ttl)
    return 0 if period is None else (rounds + period - 1) // period


_ECHO = struct.Struct("!BBHHH")
_ICMP_HEADER = struct.Struct("!BBHI")
_INITIAL_TTL = 64


class PatternLossNetwork(SimNetwork):
    """The simulated network (its virtual clock and queue), with loss by pattern instead of by chance and
    answers made from per-hop templates: a day is 26 million probes, and walking the scenario and building
    every answer from scratch would cost more than the engine under test. The templates hold the real
    bytes a Linux router or target sends (the whole probe quoted, checksums right);
    :func:`template_answer_matches_builders` checks them against tuitrace's packet builders."""

    def __init__(self) -> None:
        super().__init__(parse_scenario(SCENARIO, "soak"))
        identity = self.identity
        self._ident = identity.icmp_id
        self._outer = {ttl: self._outer_header(ttl) for ttl in range(1, HOPS + 1)}
        self._inner_ip = build_ipv4(identity.source, TARGET, 1, bytes(8) + ECHO_PAYLOAD, ttl=1)[:20]
        self._delay_ns = {ttl: int(rtt_ms(ttl) * 1e6) for ttl in range(1, HOPS + 1)}

    def _outer_header(self, ttl: int) -> bytes:
        length = 8 if ttl == HOPS else 8 + 20 + 8
        source = TARGET if ttl == HOPS else router(ttl)
        payload = bytes(length + len(ECHO_PAYLOAD))
        return build_ipv4(source, SOURCE, 1, payload, ttl=_INITIAL_TTL - ttl + 1)[:20]

    def answer(self, probe: Probe) -> bytes:
        """The bytes src receives for ``probe``: time-exceeded from its hop, or the target's echo reply."""
        unsummed = _ECHO.pack(0 if probe.ttl == HOPS else 8, 0, 0, self._ident, probe.key) + ECHO_PAYLOAD
        echo = _ECHO.pack(0 if probe.ttl == HOPS else 8, 0, internet_checksum(unsummed), self._ident,
                          probe.key) + ECHO_PAYLOAD
        if probe.ttl == HOPS:
            return self._outer[HOPS] + echo
        body = self._inner_ip + echo
        checksum = internet_checksum(_ICMP_HEADER.pack(11, 0, 0, 0) + body)
        return self._outer[probe.ttl] + _ICMP_HEADER.pack(11, 0, checksum, 0) + body

    def send(self, probe: Probe) -> int:
        now = self.now_ns()
        period = LOSS_PERIODS.get(probe.ttl)
        if period is None or probe.round % period:  # else: sent, and its answer is lost on the way back
            self._push(now + self._delay_ns[probe.ttl], deliver(self.answer(probe), Layer.ICMP4_IP))
        return now


def template_answer_matches_builders(network: PatternLossNetwork, probe: Probe) -> bool:
    """The template bytes equal what tuitrace's builders make for the same answer."""
    identity = network.identity
    if probe.ttl == HOPS:
        message = build_echo(v6=False, ident=identity.icmp_id, seq=probe.key, payload=ECHO_PAYLOAD,
                             reply=True)
        source = TARGET
    else:
        message = build_icmp_error(v6=False, type=11, code=0, quoted=ip_packet(probe, identity, ttl=1))
        source = router(probe.ttl)
    expected = build_ipv4(source, SOURCE, 1, message, ttl=_INITIAL_TTL - probe.ttl + 1)
    return network.answer(probe) == expected


def rss_kib() -> int:
    resident_pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return resident_pages * (os.sysconf("SC_PAGE_SIZE") // 1024)


@dataclass(frozen=True, slots=True)
class MemorySample:
    simulated_s: float
    rss_kib: int
    heap_blocks: int


@dataclass(slots=True)
class SoakFigures:
    rounds: int
    warmup_s: float
    cpu_s: float = 0.0
    samples: list[MemorySample] = field(default_factory=list)

    def _after_warmup(self) -> MemorySample:
        return next(s for s in self.samples if s.simulated_s >= self.warmup_s)

    @property
    def rss_ratio(self) -> float:
        return self.samples[-1].rss_kib / self._after_warmup().rss_kib

    @property
    def heap_ratio(self) -> float:
        return self.samples[-1].heap_blocks / self._after_warmup().heap_blocks


def soak(simulated_s: float, *, warmup_s: float, samples: int = 24,
         on_sample: Callable[[MemorySample], None] | None = None) -> tuple[SoakFigures, TraceSnapshot]:
    """Run ``simulated_s`` seconds of virtual time at 10 rounds/s; sample memory ``samples`` times (and
    pass each sample to ``on_sample`` as it is taken, for progress)."""
    rounds = int(simulated_s * ROUNDS_PER_SECOND)
    network = PatternLossNetwork()
    config = TraceConfig(target=TARGET, family=4, interval=1 / ROUNDS_PER_SECOND, count=rounds, max_ttl=HOPS)
    engine = Engine(config, network)
    figures = SoakFigures(rounds, warmup_s)
    start_ns = network.now_ns()
    step_ns = int(simulated_s * 1e9) // samples
    points = sorted({int(warmup_s * 1e9), *(step_ns * n for n in range(1, samples + 1))})
    next_point = [start_ns + points.pop(0)]

    def sample(_result: ProbeResult) -> None:
        now = network.now_ns()
        if now >= next_point[0]:
            gc.collect()
            figures.samples.append(MemorySample((now - start_ns) / 1e9, rss_kib(), sys.getallocatedblocks()))
            if on_sample is not None:
                on_sample(figures.samples[-1])
            next_point[0] = start_ns + points.pop(0) if points else sys.maxsize

    engine.add_listener(sample)
    started = time.process_time()
    engine.run()
    figures.cpu_s = time.process_time() - started
    gc.collect()
    end = MemorySample((network.now_ns() - start_ns) / 1e9, rss_kib(), sys.getallocatedblocks())
    figures.samples.append(end)
    return figures, engine.snapshot()


def statistics_problems(snapshot: TraceSnapshot, rounds: int) -> list[str]:
    """Every way the final numbers differ from what the scenario and the loss pattern imply (empty: exact)."""
    problems: list[str] = []
    if [hop.ttl for hop in snapshot.hops] != list(range(1, HOPS + 1)):
        problems.append(f"hops shown: {[hop.ttl for hop in snapshot.hops]}")
    if snapshot.rounds != rounds or snapshot.probes_sent != rounds * HOPS or snapshot.dropped:
        problems.append(f"rounds {snapshot.rounds}, probes {snapshot.probes_sent}, "
                        f"dropped {snapshot.dropped}")
    for hop in snapshot.hops:
        ttl = hop.ttl
        lost = lost_rounds(ttl, rounds)
        expected_address = TARGET if ttl == HOPS else router(ttl)
        if (hop.sent, hop.received) != (rounds, rounds - lost):
            problems.append(f"TTL {ttl}: sent {hop.sent} received {hop.received}, "
                            f"expected {rounds} and {rounds - lost}")
        if hop.loss_pct != 100.0 * lost / rounds:
            problems.append(f"TTL {ttl}: loss {hop.loss_pct}% expected {100.0 * lost / rounds}%")
        if [r.address for r in hop.responders] != [expected_address]:
            problems.append(f"TTL {ttl}: responders {[r.address for r in hop.responders]}")
        average = hop.rtt.avg_ms
        if average is None or abs(average - rtt_ms(ttl)) > 1e-9 * rtt_ms(ttl):
            problems.append(f"TTL {ttl}: average RTT {average} ms, expected {rtt_ms(ttl)} ms")
        if (hop.rtt.best_ms, hop.rtt.worst_ms) != (rtt_ms(ttl), rtt_ms(ttl)):
            problems.append(f"TTL {ttl}: best/worst {hop.rtt.best_ms}/{hop.rtt.worst_ms} ms")
    return problems
