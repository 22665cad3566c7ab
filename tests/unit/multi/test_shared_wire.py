"""Concurrent traces of several targets share the raw sockets: every ICMP message reaches every trace.

Tracers run side by side with the *same* identity (same ICMP id, ports and TCP sequence base, so their
probe keys collide), to targets behind the same routers, and every reply either network produces is
handed to both — what the raw ICMP sockets of one process do. Each trace must come out exactly as it does
alone (every result the same, in the same order), and must count every reply meant for the other as not
ours. Only the target check of the matcher keeps them apart here; in a real run the identities differ too.
The same holds for three targets each traced in compare mode (three settings interleaved in each round).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.probe.compare import CompareTracer
from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.tracer import Tracer
from tuitrace.probe.types import Outcome, ProbeResult

SCENARIOS = Path(__file__).parents[2] / "scenarios"
ROUNDS = 6
STEP_S = 0.001


def networks(count: int = 2) -> list[SimNetwork]:
    """``count`` paths through the same routers to different targets (198.51.100.9, .10, .11...)."""
    scenario = load_scenario(SCENARIOS / "linear_v4.toml")
    return [SimNetwork(dataclasses.replace(scenario, target=f"198.51.100.{9 + n}", seed=scenario.seed + n))
            for n in range(count)]


Pairs = list[tuple[Tracer, SimNetwork]]


def drive(pairs: Pairs, *, shared: bool) -> tuple[list[list[ProbeResult]], list[int]]:
    """Run every tracer to its last round; ``shared``: each sees the replies of every network."""
    results: list[list[ProbeResult]] = [[] for _ in pairs]
    for tracer, network in pairs:
        tracer.start(network.now_ns())
    produced = [0] * len(pairs)
    while not all(tracer.finished for tracer, _ in pairs):
        for tracer, network in pairs:
            for probe in tracer.poll(network.now_ns()):
                tracer.sent(probe, network.send(probe))
        arrived = [network.receive(STEP_S).replies for _, network in pairs]
        for index, replies in enumerate(arrived):
            produced[index] += len(replies)
        for index, (tracer, _) in enumerate(pairs):
            for reply in [r for batch in arrived for r in batch] if shared else arrived[index]:
                tracer.on_reply(reply)
            results[index].extend(tracer.take_results())
    return results, produced


def tracers(setting: Setting) -> Pairs:
    pairs = []
    for network in networks():
        config = TraceConfig(target=network._scenario.target, family=4, setting=setting, count=ROUNDS,
                             interval=0.05, wait=0.5, max_ttl=8)
        pairs.append((Tracer(config, network.identity), network))
    assert pairs[0][1].identity == pairs[1][1].identity  # the worst case: nothing but the target differs
    return pairs


def compare_tracers(count: int, settings: tuple[Setting, ...]) -> Pairs:
    pairs: Pairs = []
    for network in networks(count):
        config = TraceConfig(target=network._scenario.target, family=4, setting=settings[0], count=ROUNDS,
                             interval=0.002, wait=0.5, max_ttl=8)
        pairs.append((CompareTracer(config, network.identity, settings), network))
    return pairs


def test_three_targets_with_three_settings_each_interleaved_are_each_their_solo_trace() -> None:
    settings = (Setting(Protocol.ICMP, None), Setting(Protocol.UDP, None), Setting(Protocol.TCP, 443))
    alone = [drive([pair], shared=False)[0][0] for pair in compare_tracers(3, settings)]
    pairs = compare_tracers(3, settings)
    together, produced = drive(pairs, shared=True)
    for index, (tracer, network) in enumerate(pairs):
        assert together[index] == alone[index]
        for setting in settings:
            reached = [r for r in together[index] if r.setting == setting and r.outcome is Outcome.REACHED]
            assert len(reached) == ROUNDS and {r.responder for r in reached} == {network._scenario.target}
        assert tracer.counters.unmatched == sum(produced) - produced[index]


@pytest.mark.parametrize("setting", [Setting(Protocol.ICMP, None), Setting(Protocol.UDP, None),
                                     Setting(Protocol.TCP, 80)], ids=lambda setting: setting.label)
def test_each_trace_is_exactly_its_solo_trace_when_both_see_every_reply(setting: Setting) -> None:
    alone = [drive([pair], shared=False)[0][0] for pair in tracers(setting)]
    pairs = tracers(setting)
    together, produced = drive(pairs, shared=True)
    for index, (tracer, network) in enumerate(pairs):
        assert together[index] == alone[index]
        reached = [r for r in together[index] if r.outcome is Outcome.REACHED]
        assert {r.responder for r in reached} == {network._scenario.target}
        assert len(reached) == ROUNDS
        assert tracer.counters.unmatched == produced[1 - index] > 0  # every reply of the other: not ours
