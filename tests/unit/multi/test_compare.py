"""Compare mode: the settings share rounds and one identity space, and the comparison says where they part.

The engine runs on the simulated network (real reply bytes, the real decoder and matcher); the pure
comparison is also fed hand-made snapshots for the shapes the simulator does not make.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from tests.unit.engine.test_tracer import SOURCE, TARGET, StrayPackets, three_hops
from tuitrace.comparespec import parse_compare
from tuitrace.config import Mode, Protocol, Setting, TraceConfig
from tuitrace.diagnose.compare import (
    BLOCKED,
    OTHER_ROUTERS,
    SILENT,
    Comparison,
    compare_paths,
    divergence_findings,
)
from tuitrace.diagnose.finding import Kind, Severity
from tuitrace.engine.compare import CompareEngine
from tuitrace.errors import TuitraceError
from tuitrace.packet.icmp import build_echo, build_icmp_error
from tuitrace.packet.ipv4 import build_ipv4
from tuitrace.probe.compare import CompareTracer
from tuitrace.probe.network import Layer, Received
from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.types import LocalIdentity, Probe, ProbeResult
from tuitrace.probe.wire import ip_packet
from tuitrace.report.compare import compare_csv, compare_json, compare_text
from tuitrace.report.json import render_json
from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, RttSummary, RunState, TraceSnapshot

ICMP, UDP, TCP443 = Setting(Protocol.ICMP, None), Setting(Protocol.UDP, None), Setting(Protocol.TCP, 443)
SCENARIOS = Path(__file__).parents[2] / "scenarios"


def compare_engine(network: SimNetwork, settings: tuple[Setting, ...], **config: object) -> CompareEngine:
    base = replace(TraceConfig(target=network._scenario.target, family=4, count=5, max_ttl=6),
                   **config)  # type: ignore[arg-type]
    return CompareEngine(replace(base, setting=settings[0]), network, settings)


def test_each_round_interleaves_the_settings_ttl_by_ttl_with_one_key_space() -> None:
    network = three_hops()
    engine = compare_engine(network, (ICMP, UDP, TCP443), count=3)
    engine.run()
    first_round = [probe for _at, probe in network.sent if probe.round == 0]
    assert [(p.ttl, p.setting) for p in first_round[:6]] == [
        (1, ICMP), (1, UDP), (1, TCP443), (2, ICMP), (2, UDP), (2, TCP443)]
    keys = [probe.key for _at, probe in network.sent]
    assert len(keys) == len(set(keys))
    later = [(p.ttl, p.setting) for _at, p in network.sent if p.round == 2]
    assert later == [(ttl, s) for ttl in range(1, 5) for s in (ICMP, UDP, TCP443)]  # each stops at dst


def foreign_noise(network: StrayPackets, count: int) -> int:
    """Another tracer's replies to the same target, with keys our probes use too: counted, never credited."""
    other = LocalIdentity(icmp_id=0x1111, udp_port=50001, tcp_port=50002, source=SOURCE, tcp_seq_base=0x1000)
    injected = 0
    for key in range(count):
        for setting, port in ((UDP, 33434 + key % 100), (ICMP, 0), (TCP443, 443)):
            probe = Probe(key, 2, setting, 0, TARGET, 4, port)
            error = build_icmp_error(v6=False, type=11, code=0, quoted=ip_packet(probe, other, ttl=1)[:28])
            network.inject(network.now_ns() + 1_000 * key,
                           Received(build_ipv4("203.0.113.1", SOURCE, 1, error, ttl=63), Layer.ICMP4_IP, 0))
            injected += 1
        echo = build_echo(v6=False, ident=other.icmp_id, seq=key, reply=True)
        network.inject(network.now_ns() + 1_500 * key,
                       Received(build_ipv4(TARGET, SOURCE, 1, echo, ttl=60), Layer.ICMP4_IP, 0))
        injected += 1
    return injected


def test_no_result_is_credited_to_another_setting_at_a_high_rate_with_foreign_noise() -> None:
    network = three_hops()
    injected = foreign_noise(network, 60)
    settings = (ICMP, UDP, TCP443)
    rounds = 40
    engine = compare_engine(network, settings, count=rounds, interval=0.001, wait=0.5)
    results: list[ProbeResult] = []
    engine.add_listener(results.append)
    engine.run()
    sent = {probe.key: probe for _at, probe in network.sent}
    assert len(results) == rounds * 4 * len(settings)  # probes beyond dst (TTL 5, 6) are no hop: no result
    for result in results:
        probe = sent[result.key]
        assert (result.setting, result.ttl, result.round) == (probe.setting, probe.ttl, probe.round)
    for setting in settings:
        snapshot = engine.snapshot(setting)
        assert snapshot.reached and snapshot.path_length == 4 and snapshot.rounds == rounds
        assert [(h.sent, h.received) for h in snapshot.hops] == [(rounds, rounds)] * 4, setting.label
    assert engine.snapshot().dropped == injected


def test_a_port_rejected_on_the_way_is_the_verdict_and_a_problem_finding() -> None:
    network = SimNetwork(load_scenario(SCENARIOS / "reject_tcp_port_v4.toml"))
    tcp389 = Setting(Protocol.TCP, 389)
    engine = compare_engine(network, (ICMP, tcp389), count=6)
    engine.run()
    comparison = compare_paths({s: engine.snapshot(s) for s in (ICMP, tcp389)})
    assert comparison.verdict == ("TCP/389 is blocked at hop 3 (!X, administratively prohibited) "
                                  "by 203.0.113.1.")
    assert [(d.ttl, d.kind, d.setting) for d in comparison.divergences] == [(3, BLOCKED, tcp389)]
    assert [hop.marks for hop in comparison.hops] == [(), (), ("TCP/389 blocked (!X)",), ()]
    icmp_4, tcp_4 = comparison.hops[3].cells
    assert icmp_4 is not None and icmp_4.reached and tcp_4 is None  # TCP's path ends at hop 3
    (finding,) = divergence_findings(comparison)
    assert (finding.kind, finding.ttl, finding.severity) == (Kind.PROTOCOL_DIVERGENCE, 3, Severity.PROBLEM)
    assert finding.value("setting") == "TCP/389" and finding.value("annotation") == "!X"


# -- the comparison on hand-made paths ----------------------------------------------------------------
def snapshot(setting: Setting, path: Sequence[str | None], *, reached: bool, mark: str | None = None,
             rounds: int = 10) -> TraceSnapshot:
    """``path``: the responder per TTL (``None``: silent); ``mark`` on the last one ends the path."""
    hops = []
    for ttl, address in enumerate(path, start=1):
        last = ttl == len(path)
        responders = () if address is None else (ResponderSnapshot(
            address, rounds, 100.0, RttSummary(rounds, 1.0, float(ttl), 1.0, 2.0, 0.1),
            (mark,) if last and mark else (), last and reached, 60),)
        hops.append(HopSnapshot(ttl, rounds, 0 if address is None else rounds, RttSummary(), responders, ()))
    end = len(path) if reached or mark else None
    return TraceSnapshot("dst", "10.9.9.9", 4, setting, Mode.SIMULATED, 1.0, 0.0, 2.0, 30, RunState.RUNNING,
                         rounds, 10.0, reached, end, tuple(hops), 0, 0)


def test_another_ecmp_branch_that_rejoins_is_marked_but_kept_out_of_the_verdict() -> None:
    icmp = snapshot(ICMP, ["10.0.1.1", "10.0.2.1", "10.0.3.1", "10.9.9.9"], reached=True)
    tcp = snapshot(TCP443, ["10.0.1.1", "10.0.2.2", "10.0.3.1", "10.9.9.9"], reached=True)
    comparison = compare_paths({ICMP: icmp, TCP443: tcp})
    assert [(d.ttl, d.kind, d.rejoins) for d in comparison.divergences] == [(2, OTHER_ROUTERS, 3)]
    text = "TCP/443 takes other routers than ICMP at hop 2 and rejoins at hop 3"
    assert comparison.divergences[0].text == text
    assert comparison.verdict == comparison.divergences[0].text + "."
    assert [hop.marks for hop in comparison.hops] == [(), ("TCP/443 other routers",), (), ()]


def test_leaving_the_path_and_then_being_blocked_is_one_sentence() -> None:
    icmp = snapshot(ICMP, ["10.0.1.1", "10.0.2.1", "10.0.3.1", "10.0.4.1", "10.0.5.1", "10.9.9.9"],
                    reached=True)
    tcp = snapshot(TCP443, ["10.0.1.1", "10.0.2.1", "10.0.3.1", "10.7.4.1", "10.7.5.1", "10.7.6.1"],
                   reached=False, mark="!X")
    comparison = compare_paths({ICMP: icmp, TCP443: tcp})
    assert comparison.verdict == ("TCP/443 leaves the ICMP path at hop 4 (10.7.4.1) and is blocked at hop 6 "
                                  "(!X, administratively prohibited) by 10.7.6.1.")


def test_a_setting_that_goes_silent_where_the_reference_goes_on() -> None:
    icmp = snapshot(ICMP, ["10.0.1.1", "10.0.2.1", "10.9.9.9"], reached=True)
    udp = snapshot(UDP, ["10.0.1.1", None, None], reached=False)
    comparison = compare_paths({ICMP: icmp, UDP: udp})
    assert [(d.ttl, d.kind) for d in comparison.divergences] == [(2, SILENT)]
    assert comparison.verdict == "UDP 33434+n gets no answer beyond hop 1 where ICMP goes on to hop 3."
    assert divergence_findings(comparison)[0].severity is Severity.WARNING


def test_the_reference_blocked_where_another_goes_on_is_named_too() -> None:
    icmp = snapshot(ICMP, ["10.0.1.1", "10.0.2.1"], reached=False, mark="!X")
    tcp = snapshot(TCP443, ["10.0.1.1", "10.0.2.1", "10.9.9.9"], reached=True)
    comparison = compare_paths({ICMP: icmp, TCP443: tcp})
    assert comparison.verdict == "ICMP is blocked at hop 2 (!X, administratively prohibited) by 10.0.2.1."


def test_same_paths_say_so() -> None:
    path = ["10.0.1.1", "10.9.9.9"]
    comparison = compare_paths({s: snapshot(s, path, reached=True) for s in (ICMP, UDP, TCP443)})
    assert comparison.divergences == ()
    assert comparison.verdict == "ICMP, UDP 33434+n and TCP/443 take the same path and reach the destination."


# -- --compare's words --------------------------------------------------------------------------------
def test_compare_items_follow_the_port_policy() -> None:
    assert parse_compare("icmp,udp,tcp:443") == (ICMP, UDP, TCP443)
    tcp80, udp53 = Setting(Protocol.TCP, 80), Setting(Protocol.UDP, 53)
    assert parse_compare(" ICMP , tcp , udp:53 ") == (ICMP, tcp80, udp53)


@pytest.mark.parametrize(("text", "message"), [
    ("icmp", "--compare needs two settings or more"),
    ("icmp,sctp", "--compare: 'sctp' is not icmp, udp, udp:PORT, tcp or tcp:PORT"),
    ("icmp:5,tcp", "--compare: ICMP has no port"),
    ("icmp,tcp:0", "--compare tcp port must be ≥ 1, not 0"),
    ("icmp,tcp:http", "--compare tcp port must be a whole number, not 'http'"),
    ("tcp,tcp:80", "--compare lists TCP/80 twice"),
    ("icmp,udp,tcp,udp:1,udp:2,udp:3,udp:4", "at most 6 settings, not 7"),
])
def test_bad_compare_lists_are_one_line(text: str, message: str) -> None:
    with pytest.raises(TuitraceError) as caught:
        parse_compare(text)
    assert message in str(caught.value)


# -- reports ------------------------------------------------------------------------------------------
def blocked_comparison() -> tuple[TraceSnapshot, Comparison]:
    icmp = snapshot(ICMP, ["10.0.1.1", "10.0.2.1", "10.9.9.9"], reached=True)
    tcp = snapshot(TCP443, ["10.0.1.1", "10.0.2.1"], reached=False, mark="!X")
    return icmp, compare_paths({ICMP: icmp, TCP443: tcp})


def test_json_is_the_reference_report_plus_the_comparison() -> None:
    icmp, comparison = blocked_comparison()
    document = json.loads(compare_json(comparison, icmp))
    plain = json.loads(render_json(icmp))
    assert {key: value for key, value in document.items() if key not in ("compare", "findings")} == {
        key: value for key, value in plain.items() if key != "findings"}
    compare = document["compare"]
    assert [s["label"] for s in compare["settings"]] == ["ICMP", "TCP/443"]
    assert [hop["ttl"] for hop in compare["hops"]] == [1, 2, 3]
    assert compare["hops"][1]["settings"][1]["annotations"] == ["!X"]
    assert compare["hops"][2]["settings"][1] is None
    assert [(d["ttl"], d["kind"], d["setting"]) for d in compare["divergence"]] == [(2, "blocked", "TCP/443")]
    assert compare["verdict"] == comparison.verdict
    assert document["findings"][0]["kind"] == "protocol_divergence"


def test_csv_has_a_row_per_hop_and_setting_then_the_divergence() -> None:
    icmp, comparison = blocked_comparison()
    rows = list(csv.reader(io.StringIO(compare_csv(comparison, icmp))))
    header = rows[0]
    table = rows[1: rows.index([])]
    at_ttl, at_setting = header.index("ttl"), header.index("setting")
    assert [(row[at_ttl], row[at_setting]) for row in table] == [
        ("1", "ICMP"), ("1", "TCP/443"), ("2", "ICMP"), ("2", "TCP/443"), ("3", "ICMP")]
    assert rows[rows.index([]) + 2][:3] == ["2", "blocked", "TCP/443"]


def test_text_shows_each_hop_once_with_a_column_group_per_setting_and_the_verdict() -> None:
    icmp, comparison = blocked_comparison()
    text = compare_text(comparison, icmp)
    lines = text.splitlines()
    assert lines[0].startswith("tuitrace to dst (10.9.9.9)  compare ICMP vs TCP/443")
    assert "│ ICMP" in lines[1] and "│ TCP/443" in lines[1]
    assert [line.split()[0] for line in lines[2:5]] == ["1.", "2.", "3."]
    assert "10.0.2.1 !X" in lines[3] and "TCP/443 blocked (!X)" in lines[3]
    assert f"Verdict: {comparison.verdict}" in lines


def test_settings_added_and_removed_take_effect_from_the_next_round() -> None:
    network = three_hops()
    engine = compare_engine(network, (ICMP, UDP), count=None, interval=0.1)
    tracer = engine._tracer
    assert isinstance(tracer, CompareTracer)
    tracer.start(network.now_ns())
    first = tracer.poll(network.now_ns())
    assert {p.setting for p in first} == {ICMP, UDP}
    tracer.set_compared((UDP, TCP443))  # ICMP out, TCP/443 in; UDP is the reference now
    assert tracer.setting == UDP
    network._now += 200_000_000
    second = tracer.poll(network.now_ns())
    assert {p.setting for p in second} == {UDP, TCP443}
    assert {p.round for p in second if p.setting == TCP443} == {0}
    assert {p.round for p in second if p.setting == UDP} == {1}


def test_a_setting_with_nothing_measured_yet_is_not_judged() -> None:
    icmp = snapshot(ICMP, ["10.0.1.1", "10.9.9.9"], reached=True)
    new = replace(snapshot(TCP443, [], reached=False), rounds=0)
    comparison = compare_paths({ICMP: icmp, TCP443: new})
    assert comparison.divergences == ()
