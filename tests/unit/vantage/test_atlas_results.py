"""RIPE Atlas results read into traces: what each packet means, the engine's snapshot, and "compare with
mine". The files in ``atlas_data/`` are written for these tests in the documented result format (firmware
5080/5090 and a 4450 record that names the family ``pf``), covering IPv4/IPv6, ICMP/UDP/TCP, timeouts,
late and duplicate replies, ``err`` codes, a probe that could not send, and hostile text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tuitrace.config import Protocol, Setting
from tuitrace.probe.types import Outcome
from tuitrace.report.json import render_json
from tuitrace.report.multi import TargetOutcome, measured, multi_json, with_comparisons
from tuitrace.runmulti import TargetRun, nothing_shown
from tuitrace.stats.snapshot import RunState
from tuitrace.vantage.atlas_api import read_probe_file
from tuitrace.vantage.atlas_compare import shared_hops
from tuitrace.vantage.atlas_engine import KEY_NOTICE, AtlasEngine, KeyNotice
from tuitrace.vantage.atlas_results import AtlasError, AtlasTrace, parse_results
from tuitrace.vantage.atlas_source import engines_for

DATA = Path(__file__).parent / "atlas_data"


def traces(name: str) -> dict[int, AtlasTrace]:
    return {trace.probe_id: trace for trace in parse_results((DATA / name).read_bytes()).traces}


def outcomes(trace: AtlasTrace, ttl: int) -> list[tuple[str, str | None, str | None]]:
    return [(r.outcome.value, r.responder, r.annotation) for rnd in trace.rounds for r in rnd if r.ttl == ttl]


def test_timeouts_late_and_duplicate_replies_count_as_traceroute_counts_them() -> None:
    probe = traces("icmp_v4.json")[1001]
    assert (probe.target, probe.target_name, probe.family, probe.setting) == (
        "192.0.2.80", "www.example.net", 4, Setting(Protocol.ICMP, None))
    assert len(probe.rounds) == 2
    # round 1 hop 2: two timeouts, one reply, and a late reply that answers a probe already lost
    assert outcomes(probe, 2)[:3] == [("lost", None, None), ("time-exceeded", "198.51.100.1", None),
                                      ("lost", None, None)]
    assert probe.late == 1
    # round 1 hop 4: three replies from the destination plus one marked dup (not a fourth probe)
    assert outcomes(probe, 4)[:3] == [("reached", "192.0.2.80", None)] * 3
    assert probe.duplicates == 1 and len(outcomes(probe, 4)) == 6
    first = probe.rounds[0][0]
    assert (first.rtt_ns, first.reply_ttl) == (512_000, 64)
    mpls = [r.mpls for r in probe.rounds[0] if r.ttl == 3]
    assert [(m.label, m.traffic_class, m.bottom_of_stack, m.ttl) for m in mpls[0]] == [(24017, 0, True, 1)]
    assert mpls[2] == ()


def test_err_codes_become_traceroutes_annotations_and_end_the_path() -> None:
    v4 = traces("icmp_v4.json")[1002]
    assert set(outcomes(v4, 3)) == {("unreachable", "198.51.100.66", "!X")}  # err "A"
    assert max(r.ttl for rnd in v4.rounds for r in rnd) == 3  # hop 255 (Atlas's last try) is no hop
    more = traces("udp_tcp_v6.jsonl")
    assert ("unreachable", "2001:db8:2::1", "!N") in outcomes(more[2001], 2)
    # a port unreachable from the destination is how UDP arrives: numeric (IPv6 code 4) or "p"
    assert set(outcomes(more[2002], 3)) == {("reached", "2001:db8:80::80", None)}
    assert set(outcomes(more[44], 2)) == {("reached", "192.0.2.80", None)}


def test_families_protocols_and_firmware_versions() -> None:
    more = traces("udp_tcp_v6.jsonl")
    assert (more[2001].family, more[2001].setting) == (6, Setting(Protocol.UDP, None))
    assert (more[3001].family, more[3001].setting) == (4, Setting(Protocol.TCP, 80))
    assert set(outcomes(more[3001], 2)) == {("reached", "192.0.2.80", None)}  # SYN-ACK from the target
    assert more[44].family == 4  # firmware 4450 names the family "pf": sagan reads it
    assert more[3002].errors == ["sendto failed: Operation not permitted"] and not any(more[3002].rounds)
    assert parse_results((DATA / "udp_tcp_v6.jsonl").read_bytes()).dropped == 2  # a ping record, a bad line


def test_a_measurement_port_is_used_for_tcp() -> None:
    record = (DATA / "udp_tcp_v6.jsonl").read_text().splitlines()[2]
    (trace,) = parse_results(record, port=443).traces
    assert trace.setting == Setting(Protocol.TCP, 443)


def test_hostile_text_is_inert_and_bad_values_are_counted_and_dropped() -> None:
    (probe,) = parse_results((DATA / "hostile.json").read_bytes()).traces
    assert not {"\x1b", "\n", "\x07"} & set(probe.target_name)
    assert probe.target_name.startswith("[bold red]pwned[/]")  # kept as literal text, never as markup
    assert probe.source is None  # "<script>...": not an address
    assert probe.dropped == 3  # a markup "from", a negative RTT, an RTT of 1e300
    assert [r.responder for rnd in probe.rounds for r in rnd] == ["10.1.0.1"]  # hop 99999 is no hop
    assert probe.errors == ["\ufffd[31mred\ufffd[0m [blink]boom[/blink]"]


@pytest.mark.parametrize("data", [b"", b"[]", b"{}", b"\x00\xff" * 10, b'[{"type": "traceroute"}]',
                                  b'{"fw": 5080, "type": "traceroute", "prb_id": "x", "result": 3}'])
def test_anything_else_gives_no_trace_and_no_crash(data: bytes) -> None:
    assert parse_results(data).traces == ()
    with pytest.raises(AtlasError, match="holds no RIPE Atlas traceroute results"):
        engines_for(parse_results(data), {}, "x.json", lambda _text: None)


def test_the_engine_shows_the_probe_like_any_trace_and_finds_what_a_live_trace_would() -> None:
    metas = read_probe_file((DATA / "probes.json").read_bytes())
    warnings: list[str] = []
    engines = engines_for(parse_results((DATA / "icmp_v4.json").read_bytes()), metas, "f", warnings.append)
    # grouped by country, then AS: DE before NL
    assert [e.vantage for e in engines] == ["atlas:1002", "atlas:1001"] and warnings == []
    snapshot = engines[1].snapshot()
    assert snapshot.host == "www.example.net from atlas:1001 (NL AS3333)"
    assert (snapshot.target, snapshot.rounds, snapshot.reached, snapshot.path_length) == (
        "192.0.2.80", 2, True, 4)
    assert snapshot.state is RunState.FINISHED
    assert [(h.ttl, h.sent, h.received) for h in snapshot.hops] == [
        (1, 6, 6), (2, 6, 4), (3, 6, 6), (4, 6, 6)]
    blocked = json.loads(render_json(engines[0].snapshot()))
    assert blocked["reached"] is False and blocked["path_length"] == 3
    assert [(f["kind"], f["ttl"]) for f in blocked["findings"]] == [("blocked", 3)]
    assert not any(engine.running for engine in engines)


def test_keys_cannot_change_a_finished_measurement_and_say_so_once_per_run() -> None:
    notice = KeyNotice()
    results = parse_results((DATA / "icmp_v4.json").read_bytes())
    engines = engines_for(results, {}, "f", lambda _t: None, notice)
    for engine in engines:
        engine.set_protocol(Protocol.TCP, 443)
        engine.set_interval(2.0)
    assert [m for e in engines for m in e.take_messages()] == [KEY_NOTICE]
    assert engines[0].snapshot().setting == Setting(Protocol.ICMP, None)
    assert engines[0].snapshot().host.endswith("(? ?)")  # no probe metadata: country and AS unknown


def test_a_probe_that_could_not_send_is_an_error_in_its_entry_and_alone_shows_nothing() -> None:
    failed = AtlasEngine.of(traces("udp_tcp_v6.jsonl")[3002], None)
    assert str(failed.error) == "the Atlas probe could not trace: sendto failed: Operation not permitted"
    assert failed.snapshot().rounds == 0
    worked = AtlasEngine.of(traces("udp_tcp_v6.jsonl")[3001], None)
    runs = [TargetRun("a", failed, None, "atlas:3002"), TargetRun("b", worked, None, "atlas:3001")]
    assert nothing_shown(measured(runs[:1]))  # a report of it alone exits 2
    assert not nothing_shown(measured(runs))


def test_shared_hops_with_the_local_path_by_address_and_by_as() -> None:
    one, two = (AtlasEngine.of(t, None) for t in traces("icmp_v4.json").values())
    local = two.snapshot()  # probe 1002 stands in for the local path: 192.168.7.1, 203.0.113.9, .66
    shared = shared_hops(one.snapshot(), local, None)
    assert shared == [{"ttl": 3, "local_ttl": 2, "address": "203.0.113.9", "match": "address", "asn": None}]
    asns = {"10.1.0.1": 64501, "192.168.7.1": 64501, "198.51.100.1": 64777, "203.0.113.9": 64600}

    class Info:
        def __init__(self, asn: int | None) -> None:
            self.asn = asn

    by_as = shared_hops(one.snapshot(), local, lambda a: Info(asns.get(a)))  # type: ignore[arg-type,return-value]
    assert [(e["ttl"], e["match"], e["asn"]) for e in by_as] == [(1, "as", 64501), (3, "address", 64600)]


def test_reports_carry_the_probe_and_what_it_shares_with_the_local_trace() -> None:
    one, two = (AtlasEngine.of(t, None) for t in traces("icmp_v4.json").values())
    local = TargetOutcome("www.example.net", two.snapshot())  # vantage "local"
    atlas = TargetOutcome("www.example.net from atlas:1001", one.snapshot())
    compared = with_comparisons([local, atlas], [None, one], None)
    assert compared[1].vantage == "atlas:1001"
    assert compared[1].note == "shares 1 hop with local from hop 3 (1 by address)"
    entry = json.loads(multi_json(compared))["traces"][1]
    assert entry["vantage"] == "atlas:1001"
    assert entry["atlas"] == {"probe": 1001, "measurement": 71000001, "country": None, "asn": None,
                              "source": "198.51.100.23", "late": 1, "duplicates": 1, "errors": []}
    assert entry["shared_with_local"] == [{"ttl": 3, "local_ttl": 2, "address": "203.0.113.9",
                                           "match": "address", "asn": None}]
    alone = with_comparisons([atlas], [one], None)  # no local trace: nothing to compare with
    assert "shared_with_local" not in json.loads(multi_json(alone))["traces"][0]


def test_a_slot_waits_then_shows_its_probe() -> None:
    slot = AtlasEngine("www.example.net", waiting="measurement 9: waiting")
    assert slot.running and slot.snapshot().hops == ()
    assert "measurement 9: waiting" in slot.snapshot().host
    seen: list[Outcome] = []
    slot.add_listener(lambda result: seen.append(result.outcome))
    slot.load(traces("icmp_v4.json")[1001], None)
    assert not slot.running and slot.snapshot().reached and len(seen) == 24
    assert slot.compare_with_local(None, None)[0] == "atlas:1001 (? ?)"  # the overview names the probe
    slot.give_up("late")  # a filled slot keeps its trace
    assert slot.error is None


def test_numeric_err_codes_are_marked_as_replies_of_our_own_are() -> None:
    """Atlas's number is the ICMP unreachable code: the same marks as tuitrace.probe.annotate gives."""
    def packet(err: int, **more: int) -> dict[str, object]:
        return {"from": "198.51.100.7", "ttl": 250, "size": 28, "rtt": 1.5, "err": err, **more}

    record = {"fw": 5080, "af": 4, "proto": "ICMP", "type": "traceroute", "prb_id": 9, "msm_id": 7,
              "timestamp": 1764573000, "endtime": 1764573001, "dst_name": "192.0.2.80",
              "dst_addr": "192.0.2.80", "from": "198.51.100.60",
              "result": [{"hop": 1, "result": [packet(13), packet(6), packet(4, mtu=1400), packet(12)]}]}
    (trace,) = parse_results(json.dumps([record])).traces
    assert [mark for _outcome, _who, mark in outcomes(trace, 1)] == ["!X", "!N", "!F-1400", "!H"]
