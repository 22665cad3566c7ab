"""``middlebox_answer``: the TCP answers' reply TTLs against the destination's ICMP echo replies, the TTL
check the tracer runs beside a TCP trace, and what the reports and the header make of it."""

from __future__ import annotations

import json
import random
import tomllib
from dataclasses import replace
from pathlib import Path

from tests.unit.diagnose.simulate import run_engine
from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.diagnose.finding import Kind, Severity
from tuitrace.diagnose.middlebox import middlebox_answer, middlebox_hop
from tuitrace.diagnose.rules import diagnose
from tuitrace.engine.engine import Engine
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text
from tuitrace.stats.snapshot import TraceSnapshot, TtlCheck
from tuitrace.ui.widgets.header import header_text

from .build import TARGET, Hop, snapshot

TCP = Setting(Protocol.TCP, 443)
SCENARIOS = Path(__file__).parents[2] / "scenarios"
PATH = [Hop("10.0.0.1", 10, 10), Hop("10.0.1.1", 10, 10), Hop(TARGET, 10, 10)]


def checked(echo: dict[int, int], answers: dict[int, int], sent: int | None = None) -> TraceSnapshot:
    check = TtlCheck(sent if sent is not None else sum(echo.values()), sum(echo.values()),
                     tuple(sorted(echo.items())), tuple(sorted(answers.items())))
    return replace(snapshot(PATH, setting=TCP), ttl_check=check)


def test_answers_from_nearer_than_every_echo_are_a_middlebox() -> None:
    (finding,) = middlebox_answer(checked({60: 4}, {63: 10}))
    assert (finding.kind, finding.ttl, finding.address) == (Kind.MIDDLEBOX_ANSWER, 2, TARGET)
    assert finding.severity is Severity.PROBLEM
    assert finding.value("answer_hops") == 2 and finding.value("echo_hops") == 5
    assert finding.value("every_answer_flagged") == 1
    assert middlebox_hop([finding]) == 2


def test_some_answers_flagged_is_a_warning_and_the_destination_stays_reached() -> None:
    (finding,) = middlebox_answer(checked({60: 4}, {63: 3, 60: 7}))
    assert finding.severity is Severity.WARNING
    assert finding.text.startswith("3 of 10 TCP/443 answers from")
    assert middlebox_hop([finding]) is None


def test_no_reference_no_verdict() -> None:
    assert middlebox_answer(checked({}, {63: 10}, sent=5)) == ()  # the destination does not answer pings
    assert middlebox_answer(checked({60: 1}, {63: 10})) == ()  # one echo reply is not enough
    assert middlebox_answer(snapshot(PATH, setting=TCP)) == ()  # no TTL check (ICMP, UDP, old snapshot)


def test_a_genuine_destination_is_never_flagged() -> None:
    """Seeded: any distance, any of the usual initial TTLs for TCP and for ICMP, a return path one hop
    longer for the TCP answers or for the echoes (ECMP on the way back): never flagged."""
    rng = random.Random(11)
    for _ in range(5000):
        distance = rng.randint(1, 40)
        tcp_initial, icmp_initial = rng.choice((64, 128, 255)), rng.choice((64, 128, 255))
        answers = {tcp_initial - distance - rng.choice((0, 1)) + 1: rng.randint(1, 50)}
        echo = {icmp_initial - distance - rng.choice((0, 1)) + 1: rng.randint(2, 10)}
        assert middlebox_answer(checked(echo, answers)) == (), (distance, echo, answers)


def _run(name: str) -> tuple[TraceSnapshot, str, str]:
    engine = run_engine(tomllib.loads((SCENARIOS / name).read_text(encoding="utf-8")), name)
    snap = engine.snapshot()
    return snap, render_json(snap, None, engine.events()), render_text(snap, None, True, engine.events())


def test_a_forged_reset_makes_reached_false_in_the_reports_and_the_header_says_why() -> None:
    snap, as_json, as_text = _run("middlebox_tcp_reset_v4.toml")
    assert snap.reached  # the engine saw answers from the destination's address...
    report = json.loads(as_json)
    assert report["reached"] is False  # ...but none was the destination's
    assert [f["kind"] for f in report["findings"]] == ["middlebox_answer"]
    assert "destination not reached" in as_text
    header = header_text(snap, findings=diagnose(snap)).plain
    assert "answered by a middlebox near hop 2, not by the destination" in header


def test_the_ttl_check_is_counted_apart_from_the_probes() -> None:
    data = tomllib.loads((SCENARIOS / "middlebox_tcp_reset_v4.toml").read_text(encoding="utf-8"))
    scenario = parse_scenario(data, "middlebox")
    network = SimNetwork(scenario)
    config = TraceConfig(target=scenario.target, family=scenario.family, setting=TCP, count=12)
    engine = Engine(config, network)
    engine.run()
    snap = engine.snapshot()
    check = snap.ttl_check
    assert check is not None
    echoes = [probe for _, probe in network.sent if probe.setting.protocol is Protocol.ICMP]
    assert check.echo_sent == len(echoes) == 3 + 2  # rounds 0, 1, 2, then 5 and 10 of 0..11
    assert check.echo_received == check.echo_sent
    assert check.echo_reply_ttls == ((61, 5),)
    assert check.answer_reply_ttls and all(ttl == 63 for ttl, _ in check.answer_reply_ttls)
    assert snap.probes_sent == len(network.sent) - len(echoes)  # not among the probes
    for hop in snap.hops:  # and no echo reply (TTL 61) in any hop's statistics
        assert all(r.reply_ttl != 61 for r in hop.responders)
        assert hop.sent <= 12


def test_one_hop_nearer_is_not_told_apart_from_ecmp_on_the_way_back() -> None:
    assert middlebox_answer(checked({60: 4}, {61: 10})) == ()
    assert middlebox_answer(checked({60: 4}, {62: 10}))


def test_a_genuine_tcp_destination_gives_no_middlebox_finding_and_stays_reached() -> None:
    for name in ("tcp_open_v6.toml", "tcp_closed_port_v4.toml", "ecmp_tcp_v6.toml"):
        snap, as_json, _ = _run(name)
        assert snap.ttl_check is not None and snap.ttl_check.echo_received >= 2, name
        assert json.loads(as_json)["reached"] is True, name
        assert not [f for f in diagnose(snap) if f.kind is Kind.MIDDLEBOX_ANSWER], name


def test_icmp_and_udp_traces_send_no_echo_check() -> None:
    snap, _, _ = _run("linear_v4.toml")
    assert snap.ttl_check is None
