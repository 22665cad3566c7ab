"""The engine's thread seam under stress (issue 10, point 5): readers hammering it while it probes flat out.

The engine thread runs the simulated network on its virtual clock, so it probes as fast as the CPU lets
it, with a destination that loses most answers so that the path end and ``reached`` keep changing. Other
threads read snapshots, take messages and send commands that produce messages the whole time. Every
snapshot must be one consistent instant, and every message must arrive exactly once.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.errors import PrivilegeError
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.stats.snapshot import TraceSnapshot

SOURCE, TARGET = "192.0.2.1", "198.51.100.9"
ROUTERS = ["192.0.2.254", "203.0.113.1", "203.0.113.5"]
SWITCHES = 300


class NoIcmp(SimNetwork):
    """Refuses ICMP, so every switch to it becomes one message for the user."""

    def prepare(self, setting: Setting) -> None:
        if setting.protocol is Protocol.ICMP:
            raise PrivilegeError("ping sockets are not allowed")


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Switch threads as often as the interpreter can, so that an unlocked window is hit."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def consistency_errors(snapshot: TraceSnapshot) -> list[str]:
    errors: list[str] = []
    hops = snapshot.hops
    if snapshot.path_length is not None and hops[-1].ttl != snapshot.path_length:
        errors.append(f"rows end at {hops[-1].ttl}, path length {snapshot.path_length}")
    if sum(hop.sent for hop in hops) > snapshot.probes_sent:
        errors.append("more probes resolved than sent")
    for hop in hops:
        if hop.sent > snapshot.rounds or hop.received > hop.sent:
            errors.append(f"TTL {hop.ttl}: {hop.received}/{hop.sent} in {snapshot.rounds} rounds")
        if sum(r.received for r in hop.responders) != hop.received:
            errors.append(f"TTL {hop.ttl}: responders do not add up")
    return errors


@pytest.mark.usefixtures("fast_switching")
def test_readers_see_consistent_snapshots_and_every_message_once() -> None:
    scenario = parse_scenario({
        "path": {"family": 4, "source": SOURCE, "target": TARGET},
        "hop": [{"responders": [r], "loss": 0.2} for r in ROUTERS],
        "target": {"loss": 0.7, "udp": "closed"},
    })
    config = TraceConfig(target=TARGET, family=4, setting=Setting(Protocol.UDP, None), count=1500,
                         interval=0.001, wait=0.05, max_ttl=12)
    engine = Engine(config, NoIcmp(scenario))
    errors: list[str] = []
    messages: list[str] = []
    snapshots = 0
    done = threading.Event()

    def read() -> None:
        nonlocal snapshots
        while not done.is_set():
            errors.extend(consistency_errors(engine.snapshot()))
            messages.extend(engine.take_messages())
            snapshots += 1

    def command() -> None:
        for _ in range(SWITCHES):
            engine.set_protocol(Protocol.ICMP, None)
            engine.set_interval(0.001)

    reader, commander = threading.Thread(target=read), threading.Thread(target=command)
    engine.start()
    reader.start()
    commander.start()
    commander.join()
    while engine.running:
        done.wait(0.01)
    done.set()
    reader.join()
    messages.extend(engine.take_messages())
    engine.stop()
    assert engine.error is None
    assert snapshots > 100
    assert errors == []
    assert messages == ["cannot trace ICMP: ping sockets are not allowed"] * SWITCHES
    final = engine.snapshot()
    assert final.rounds == 1500 and final.setting == Setting(Protocol.UDP, None)
