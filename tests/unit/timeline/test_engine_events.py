"""Events from the engine on the simulated network with a virtual clock: outages, route changes, RTT
shifts and key presses become the events a user would expect, at the right hop and time."""

from __future__ import annotations

import dataclasses
import json

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.scenario import Scenario, parse_scenario
from tuitrace.probe.simnet import START_NS, SimNetwork
from tuitrace.probe.types import Probe
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text
from tuitrace.timeline.events import EventKind

TARGET = "198.51.100.9"
INTERVAL, WAIT = 0.2, 1.0
SCENARIO = {
    "path": {"family": 4, "source": "192.0.2.1", "target": TARGET},
    "hop": [
        {"responders": ["192.0.2.254"], "rtt_ms": 1.0},
        {"responders": ["203.0.113.1", "203.0.113.2"], "rtt_ms": 4.0},
        {"responders": ["203.0.113.9"], "rtt_ms": 6.0},
    ],
    "target": {"rtt_ms": 10.0},
}


class ChangingNetwork(SimNetwork):
    """The simulated network, changed mid-run: from ``change_s`` (virtual seconds after the start), either
    nothing answers until ``until_s`` (an outage), or the path becomes ``later``."""

    def __init__(self, change_s: float, *, until_s: float | None = None, later: Scenario | None = None):
        super().__init__(parse_scenario(SCENARIO, "changing"))
        self._change_ns = START_NS + int(change_s * 1e9)
        self._until_ns = None if until_s is None else START_NS + int(until_s * 1e9)
        self._later = later

    def send(self, probe: Probe) -> int:
        now = self._now
        if now >= self._change_ns and self._later is not None:
            self._scenario = self._later
        if self._until_ns is not None and self._change_ns <= now < self._until_ns:
            self.sent.append((now, probe))
            return now  # the outage: the probe goes nowhere
        return super().send(probe)


def changed(hop: int, **fields: object) -> Scenario:
    scenario = parse_scenario(SCENARIO, "later")
    hops = list(scenario.hops)
    hops[hop - 1] = dataclasses.replace(hops[hop - 1], **fields)  # type: ignore[arg-type]
    return dataclasses.replace(scenario, hops=tuple(hops))


def run(network: SimNetwork, rounds: int, protocol: Protocol = Protocol.ICMP) -> Engine:
    config = TraceConfig(target=TARGET, family=4, count=rounds, interval=INTERVAL, wait=WAIT)
    config = dataclasses.replace(config, setting=Setting(protocol, None))
    engine = Engine(config, network)
    engine.run()
    return engine


def kinds(engine: Engine) -> list[str]:
    return [event.kind.value for event in engine.events()]


def test_a_clean_run_tells_only_that_the_destination_was_reached() -> None:
    engine = run(ChangingNetwork(1e9), rounds=100)
    events = engine.events()
    assert [e.kind for e in events] == [EventKind.REACHED]
    assert (events[0].ttl, events[0].address, events[0].t_s) == (4, TARGET, 0.0)


def test_a_two_second_outage_is_one_loss_burst_of_two_seconds_and_lost_then_reached() -> None:
    engine = run(ChangingNetwork(5.0, until_s=7.0), rounds=60)
    assert kinds(engine) == ["reached", "lost", "loss_burst", "reached"]
    burst = engine.events()[2]
    assert burst.ttl == 4 and burst.duration_s is not None
    assert 2.0 <= burst.duration_s <= 2.0 + INTERVAL
    assert 5.0 <= burst.t_s <= 5.0 + INTERVAL


def test_a_route_change_on_a_fixed_flow_is_one_path_change_at_its_hop() -> None:
    engine = run(ChangingNetwork(10.0, later=changed(2, responders=("203.0.113.7",))), rounds=100)
    assert kinds(engine) == ["reached", "path_change"]
    change = engine.events()[1]
    assert (change.ttl, change.address) == (2, "203.0.113.7")
    assert "203.0.113.1" in change.text or "203.0.113.2" in change.text
    assert 10.0 <= change.t_s <= 10.0 + INTERVAL


def test_classic_udp_over_ecmp_branches_is_no_path_change() -> None:
    engine = run(ChangingNetwork(1e9), rounds=100, protocol=Protocol.UDP)
    assert kinds(engine) == ["reached"]


def test_a_hop_that_falls_silent_while_the_destination_answers_is_gone_then_new() -> None:
    engine = run(ChangingNetwork(10.0, later=changed(3, silent=True)), rounds=100)
    events = engine.events()
    assert [e.kind for e in events] == [EventKind.REACHED, EventKind.RESPONDER_GONE]
    assert (events[1].ttl, events[1].address) == (3, "203.0.113.9")


def test_a_lasting_rtt_rise_is_one_rtt_shift_near_its_start() -> None:
    engine = run(ChangingNetwork(20.0, later=changed(1, rtt_ms=5.0)), rounds=200)
    events = engine.events()
    shifts = [e for e in events if e.kind is EventKind.RTT_SHIFT]
    assert len(shifts) == 1, events
    assert shifts[0].ttl == 1 and 20.0 <= shifts[0].t_s <= 20.0 + INTERVAL
    assert "1.00 ms" in shifts[0].text and "5.00 ms" in shifts[0].text


def test_keys_that_change_settings_are_setting_events() -> None:
    network = SimNetwork(parse_scenario(SCENARIO, "keys"))
    config = TraceConfig(target=TARGET, family=4, count=3, interval=INTERVAL, wait=WAIT)
    engine = Engine(config, network)
    engine.set_interval(0.5)
    engine.set_sendwait(0.01)
    engine.set_protocol(Protocol.TCP, 443)
    engine.set_interval(0.5)  # no change: no event
    engine.run()
    settings = [e.text for e in engine.events() if e.kind is EventKind.SETTING]
    assert settings == [
        "Interval changed from 0.2 s to 0.5 s.",
        "Sendwait changed from 0 s to 0.01 s.",
        f"Probes changed from {config.setting.label} to TCP/443.",
    ]


def test_reports_carry_the_events() -> None:
    engine = run(ChangingNetwork(5.0, until_s=7.0), rounds=60)
    report = json.loads(render_json(engine.snapshot(), events=engine.events()))
    assert [e["kind"] for e in report["events"]] == ["reached", "lost", "loss_burst", "reached"]
    burst = report["events"][2]
    assert set(burst) == {"time", "t_s", "kind", "ttl", "address", "duration_s", "text"}
    assert burst["time"].endswith("Z") and burst["ttl"] == 4
    text = render_text(engine.snapshot(), events=engine.events())
    events_block = text.split("Events\n", 1)[1]
    assert events_block.count("\n") == 4 and "loss_burst" in events_block
