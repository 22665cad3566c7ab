"""The RIPE Atlas API paths against a loopback server with the API's URL layout (``atlas_server.py``):
results, measurement and probe metadata with pagination, creating a measurement and polling it, and one
line each for a rate limit, a refused key, an unknown measurement and no connection. No test leaves
127.0.0.1 (the suite's ``loopback_only`` guard would fail it)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tuitrace.arguments import build_parser
from tuitrace.cli import main
from tuitrace.config import Protocol, Setting
from tuitrace.multitarget import plan_targets
from tuitrace.vantage.atlas_api import KEY_ENV, URL_ENV, AtlasClient
from tuitrace.vantage.atlas_create import AtlasCreation, CreateRequest, ProbeSelection, create_slots
from tuitrace.vantage.atlas_results import AtlasError
from tuitrace.vantage.atlas_source import AtlasSource, load_engines

from .atlas_server import GOOD_KEY, FakeAtlas, serve

DATA = Path(__file__).parent / "atlas_data"
MSM = 71000001


def records(name: str) -> list[object]:
    text = (DATA / name).read_text()
    return json.loads(text) if text.startswith("[") else [json.loads(line) for line in text.splitlines()
                                                          if line.startswith("{")]


def fake() -> FakeAtlas:
    probes = json.loads((DATA / "probes.json").read_text())["results"]
    return FakeAtlas(results={MSM: records("icmp_v4.json")}, probes=probes)


def test_results_and_probe_metadata_across_pages() -> None:
    atlas = fake()
    atlas.probes.append({"id": 1003, "country_code": "FR", "asn_v4": 5410})  # 5 probes: pages of 2
    with serve(atlas) as url:
        engines = load_engines(AtlasSource(measurement=MSM), {URL_ENV: url}, lambda _t: None)
    assert [(e.vantage, e.probe.place if e.probe else None) for e in engines] == [
        ("atlas:1002", "DE AS64500"), ("atlas:1001", "NL AS3333")]
    paths = [path for _m, path, _k in atlas.requests]
    assert paths[:2] == [f"/api/v2/measurements/{MSM}/", f"/api/v2/measurements/{MSM}/results/?format=json"]
    assert paths[2:] == ["/api/v2/probes/?id__in=1001,1002"]  # two probes asked: one page
    client = AtlasClient(url)
    with serve(atlas) as url:
        metas = AtlasClient(url).probes([1001, 1002, 2001, 5005, 1003])
    assert sorted(metas) == [1001, 1002, 1003, 2001, 5005]  # three pages followed through "next"
    assert metas[5005].country is None and metas[5005].asn_v4 is None  # "[b]" and "AS1": not taken
    assert metas[2001].info(6).asn == 1136
    del client


@pytest.mark.parametrize(("setup", "message"), [
    (lambda a: setattr(a, "rate_limited", 5),
     "RIPE Atlas rate limit reached (it asks to wait 7 s): try again later"),
    (lambda a: a.results.clear(), f"RIPE Atlas has no measurement {MSM} (404)"),
])
def test_a_rate_limit_and_an_unknown_measurement_are_one_line(setup: object, message: str) -> None:
    atlas = fake()
    setup(atlas)  # type: ignore[operator]
    with serve(atlas) as url, pytest.raises(AtlasError) as caught:
        load_engines(AtlasSource(measurement=MSM), {URL_ENV: url}, lambda _t: None)
    assert str(caught.value) == message


def test_no_connection_is_one_line() -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(AtlasError) as caught:
        AtlasClient(f"http://127.0.0.1:{port}").measurement(MSM)
    assert str(caught.value).startswith(f"cannot reach RIPE Atlas at http://127.0.0.1:{port}: ")
    assert "\n" not in str(caught.value)


def request(probes: int = 2) -> CreateRequest:
    return CreateRequest("www.example.net", 4, Setting(Protocol.TCP, 443), probes,
                         ProbeSelection.parse("country:nl"))


def test_creating_spends_credits_only_with_the_key_and_says_so_in_one_line() -> None:
    atlas = fake()
    with serve(atlas) as url:
        with pytest.raises(AtlasError) as caught:
            create_slots(request(), AtlasClient(url, "wrong"), lambda _t: None, {}, "www.example.net")
        assert str(caught.value) == ("RIPE Atlas refused the API key for the new measurement (403): check "
                                     f"{KEY_ENV} (The provided API key does not exist)")
        assert atlas.created == []
        with pytest.raises(AtlasError, match=f"needs an API key in the environment variable {KEY_ENV}"):
            AtlasClient.from_environment({URL_ENV: url}, with_key=True)
        _creation, slots = create_slots(request(), AtlasClient(url, GOOD_KEY), lambda _t: None, {}, "h")
    assert atlas.created == [{
        "definitions": [{"type": "traceroute", "target": "www.example.net", "af": 4, "protocol": "TCP",
                         "port": 443, "description": "tuitrace one-off traceroute to www.example.net"}],
        "probes": [{"requested": 2, "type": "country", "value": "NL"}], "is_oneoff": True}]
    assert atlas.requests[-1][2] == f"Key {GOOD_KEY}"  # in a header, never in the URL
    assert all(GOOD_KEY not in path for _m, path, _k in atlas.requests)
    assert len(slots) == 2 and all(slot.running for slot in slots)


def test_polling_fills_the_slots_as_results_arrive_and_waits_through_a_rate_limit() -> None:
    atlas = fake()
    first, second = records("icmp_v4.json")[0], records("icmp_v4.json")[2]
    atlas.created_results = [[], [first], [first, second]]
    said: list[str] = []
    with serve(atlas) as url:
        _creation, slots = create_slots(request(3), AtlasClient(url, GOOD_KEY), said.append,
                                        {"TUITRACE_ATLAS_POLL_S": "0.01"}, "h")
        atlas.rate_limited = 1  # the first poll is refused: it only waits longer
        for slot in slots:
            slot.start()  # one poller for all (idempotent)
        for slot in slots:
            slot._done.wait(10)
    assert said[0] == f"RIPE Atlas measurement {FakeAtlas.CREATED_ID} created: waiting for 3 probes"
    assert said[1].startswith("RIPE Atlas rate limit reached")
    progress = [line for line in said if "probes reported" in line]
    assert [line.split("): ", 1)[1].split(" (poll")[0] for line in progress] == [
        "0 of 3 probes reported", "1 of 3 probes reported", "2 of 3 probes reported",
        "2 of 3 probes reported"]
    assert "(Stopped)" in progress[-1]  # the last poll saw the measurement end: the third slot gives up
    assert [slot.vantage for slot in slots] == ["atlas:1001", "atlas:1002", "atlas"]
    assert slots[0].probe is not None and slots[0].probe.place == "NL AS3333"
    assert str(slots[2].error) == f"measurement {FakeAtlas.CREATED_ID} ended without a result from this probe"


def test_a_refused_key_while_polling_ends_the_waiting_slots_with_that_line() -> None:
    atlas = fake()
    atlas.created_results = [[]]
    with serve(atlas) as url:
        _creation, slots = create_slots(request(1), AtlasClient(url, GOOD_KEY), lambda _t: None, {}, "h")
        creation = AtlasCreation(AtlasClient(url, "revoked"), FakeAtlas.CREATED_ID, slots, lambda _t: None,
                                 poll_s=0.01)
        atlas.status.clear()  # the measurement is gone for this key
        creation.run()
    assert str(slots[0].error) == f"RIPE Atlas has no measurement {FakeAtlas.CREATED_ID} (404)"


@pytest.mark.parametrize(("text", "kind", "value"), [
    ("country:nl", "country", "NL"), ("asn:AS3333", "asn", "3333"), ("as:1136", "asn", "1136"),
    ("area:west", "area", "West")])
def test_probe_selection(text: str, kind: str, value: str) -> None:
    assert ProbeSelection.parse(text) == ProbeSelection(kind, value)


@pytest.mark.parametrize("text", ["country:NLD", "asn:x", "area:moon", "prefix:10.0.0.0/8", "NL"])
def test_a_bad_probe_selection_is_one_line(text: str) -> None:
    with pytest.raises(AtlasError, match="--atlas-from must be country:CC, asn:NUMBER or area:"):
        ProbeSelection.parse(text)


# -- the command line, end to end (subprocesses: a few, they start in about a second) -------------------
def tuitrace(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in (KEY_ENV, URL_ENV)} | env
    return subprocess.run([sys.executable, "-m", "tuitrace", *argv], capture_output=True, text=True,
                          timeout=60, check=False, env=environ)


def test_atlas_measurement_headless_report_and_a_refused_key() -> None:
    atlas = fake()
    with serve(atlas) as url:
        done = tuitrace("--atlas", str(MSM), "--json", "-n", "--no-lookups", env={URL_ENV: url})
        assert done.returncode == 0, done.stderr
        entries = json.loads(done.stdout)["traces"]
        assert [(t["vantage"], t["atlas"]["country"], t["reached"]) for t in entries] == [
            ("atlas:1002", "DE", False), ("atlas:1001", "NL", True)]
        done = tuitrace("--atlas-create", "--atlas-probes", "2", "--json", "-n", "--no-lookups", "--no-local",
                        "192.0.2.80", env={URL_ENV: url, KEY_ENV: "bad"})
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("tuitrace: RIPE Atlas refused the API key for the new measurement (403): check "
                           f"{KEY_ENV} (The provided API key does not exist)\n")


def test_a_rate_limit_and_a_missing_key_end_the_run_in_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    atlas = fake()
    atlas.rate_limited = 1
    monkeypatch.delenv(KEY_ENV, raising=False)
    with serve(atlas) as url:
        monkeypatch.setenv(URL_ENV, url)
        assert main(["--atlas", str(MSM), "--json", "-n", "--no-lookups"]) == 2
        assert capsys.readouterr() == ("", "tuitrace: RIPE Atlas rate limit reached (it asks to wait 7 s): "
                                       "try again later\n")
        assert main(["--atlas-create", "--json", "-n", "--no-lookups", "--no-local", "192.0.2.80"]) == 2
    assert capsys.readouterr().err == (f"tuitrace: --atlas-create needs an API key in the environment "
                                       f"variable {KEY_ENV} (never on the command line)\n")
    assert [m for m, _p, _k in atlas.requests] == ["GET"]  # no measurement was created without a key


def test_atlas_create_headless_shows_progress_on_stderr_then_the_traces() -> None:
    atlas = fake()
    first, second = records("icmp_v4.json")[0], records("icmp_v4.json")[2]
    atlas.created_results = [[], [first, second]]
    with serve(atlas) as url:
        done = tuitrace("--atlas-create", "--atlas-probes", "2", "--atlas-from", "asn:3333", "--json", "-n",
                        "--no-lookups", "--no-local", "192.0.2.80",
                        env={URL_ENV: url, KEY_ENV: GOOD_KEY, "TUITRACE_ATLAS_POLL_S": "0.05"})
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    msm = FakeAtlas.CREATED_ID
    assert lines[0] == f"tuitrace: RIPE Atlas measurement {msm} created: waiting for 2 probes"
    assert f"tuitrace: RIPE Atlas measurement {msm} (Ongoing): 0 of 2 probes reported (poll 1)" in lines
    entries = json.loads(done.stdout)["traces"]
    assert sorted(t["vantage"] for t in entries) == ["atlas:1001", "atlas:1002"]
    assert atlas.created[0]["probes"] == [{"requested": 2, "type": "asn", "value": "3333"}]
    assert atlas.created[0]["definitions"][0]["protocol"] == "ICMP"


def test_create_from_the_command_line_takes_the_protocol_and_family_of_the_trace() -> None:
    atlas = fake()
    with serve(atlas) as url:
        words = ["--atlas-create", "--atlas-probes", "3", "--atlas-from", "area:north-east", "-T", "-p",
                 "8443", "--no-local", "-n", "--no-lookups", "2001:db8::80"]
        plans = plan_targets(build_parser().parse_words(words), ["tuitrace", *words], lambda _t: None,
                             environ={URL_ENV: url, KEY_ENV: GOOD_KEY})
    assert plans is not None and [p.host for p in plans] == [f"2001:db8::80 atlas #{n}" for n in (1, 2, 3)]
    (body,) = atlas.created
    assert body["definitions"][0] | {"description": ""} == {
        "type": "traceroute", "target": "2001:db8::80", "af": 6, "protocol": "TCP", "port": 8443,
        "description": ""}
    assert body["probes"] == [{"requested": 3, "type": "area", "value": "North-East"}]
