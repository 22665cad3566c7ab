"""Privacy: hops 1..N and the target become ``hidden`` in snapshots, events, probe results and reports."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tuitrace.config import Protocol, Setting
from tuitrace.probe.types import Outcome
from tuitrace.report.privacy import (
    HIDDEN,
    Privacy,
    hidden_lookup,
    redact_events,
    redact_round,
    redact_snapshot,
    redact_text,
    redact_words,
)
from tuitrace.timeline.events import Event, EventKind
from tuitrace.timeline.rounds import RoundHop, RoundRecord
from tuitrace.ui.widgets.hop_columns import DEFAULT_KEYS

from .test_reports import SNAPSHOT

SCENARIO = str(Path(__file__).parents[2] / "scenarios" / "linear_v4.toml")
INSIDE = ("192.0.2.254", "203.0.113.1")
"""Hops 1 and 2 of the scenario: what ``--privacy 2`` must never print."""


def test_hidden_hops_keep_their_numbers_and_lose_their_addresses() -> None:
    snapshot = SNAPSHOT
    hidden = redact_snapshot(snapshot, Privacy(hops=2))
    for before, after in zip(snapshot.hops, hidden.hops, strict=True):
        numbers = (before.ttl, before.sent, before.received, before.rtt)
        assert (after.ttl, after.sent, after.received, after.rtt) == numbers
        addresses = [r.address for r in after.responders]
        if after.ttl <= 2:
            assert all(a.startswith(HIDDEN) for a in addresses)
            assert len(set(addresses)) == len(addresses)  # ECMP rows stay apart
        else:
            assert addresses == [r.address for r in before.responders]
    assert redact_snapshot(snapshot, Privacy()) is snapshot


def test_hide_target_hides_its_name_and_address() -> None:
    snapshot = SNAPSHOT
    hidden = redact_snapshot(snapshot, Privacy(hide_target=True))
    assert (hidden.host, hidden.target) == (HIDDEN, HIDDEN)
    assert snapshot.target not in repr(hidden)
    words = redact_words(["tuitrace", "-T", snapshot.host], snapshot, Privacy(hide_target=True))
    assert words == ["tuitrace", "-T", HIDDEN]


def test_events_lose_hidden_addresses_in_fields_and_sentences() -> None:
    snapshot = SNAPSHOT
    first = snapshot.hops[0].responders[0].address
    event = Event(time="t", t_s=1.0, kind=EventKind.PATH_CHANGE, ttl=1, address=first, duration_s=None,
                  text=f"Hop 1 now answers from {first}, not {first}0.")
    (out,) = redact_events([event], snapshot, Privacy(hops=1))
    assert out.address == HIDDEN
    assert out.text == f"Hop 1 now answers from {HIDDEN}, not {first}0."  # whole addresses only


def test_redact_text_leaves_longer_addresses_alone() -> None:
    mapping = {"10.0.0.1": HIDDEN}
    text = "10.0.0.1 and 10.0.0.10 and 110.0.0.1."
    assert redact_text(text, mapping) == "hidden and 10.0.0.10 and 110.0.0.1."


def test_stream_rounds_hide_the_first_hops_and_the_target() -> None:
    near = RoundHop(ttl=2, outcome=Outcome.TIME_EXCEEDED, address="10.0.2.1", rtt_ms=1.0, annotation=None)
    far = RoundHop(ttl=9, outcome=Outcome.REACHED, address="10.9.9.9", rtt_ms=9.0, annotation=None)
    silent = RoundHop(ttl=1, outcome=Outcome.LOST, address=None, rtt_ms=None, annotation=None)
    record = RoundRecord(round=0, setting=Setting(Protocol.ICMP, None), started_ns=0,
                         hops=(silent, near, far))

    def shown(privacy: Privacy) -> list[str | None]:
        return [hop.address for hop in redact_round(record, privacy, "10.9.9.9").hops]

    assert shown(Privacy(hops=2)) == [None, HIDDEN, "10.9.9.9"]
    assert shown(Privacy(hops=1)) == [None, "10.0.2.1", "10.9.9.9"]
    assert shown(Privacy(hide_target=True)) == [None, "10.0.2.1", HIDDEN]


def test_hidden_lookup_answers_nothing_for_hidden_rows() -> None:
    lookup = hidden_lookup(lambda address: f"name of {address}")
    assert lookup is not None
    assert lookup(HIDDEN) is None and lookup(f"{HIDDEN}-2") is None
    assert lookup("10.0.0.1") == "name of 10.0.0.1"


def run(*argv: str) -> str:
    done = subprocess.run([sys.executable, "-m", "tuitrace", "--no-lookups", "-i", "0.05", "-c", "3",
                           "--simulate", SCENARIO, *argv, "target.example"],
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_reports_hide_the_first_hops_in_text_json_and_csv() -> None:
    text = run("--report", "--privacy", "2", "--hide-target")
    report = json.loads(run("--json", "--privacy", "2", "--hide-target"))
    table = run("--csv", "--privacy", "2", "--hide-target").partition("\n\n")[0]
    for out in (text, json.dumps(report), table):
        assert not any(address in out for address in (*INSIDE, "198.51.100.9", "target.example")), out
        assert HIDDEN in out
    assert "203.0.113.5" in text  # hop 3 is not hidden
    assert [h["ttl"] for h in report["hops"]] == [1, 2, 3, 4]  # rows kept
    assert report["hops"][0]["responders"][0]["address"] == HIDDEN
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [r["responder_address"] for r in rows][:2] == [HIDDEN, HIDDEN]


def test_bad_privacy_and_fields_options_are_one_line() -> None:
    for argv, needle in ((["--privacy", "-1"], "--privacy must be ≥ 0"),
                         (["--fields", "LQ"], "--fields: unknown field letter 'Q'")):
        done = subprocess.run([sys.executable, "-m", "tuitrace", "--no-lookups", *argv, "127.0.0.1"],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 2
        assert needle in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert DEFAULT_KEYS  # the default needs no option


def test_the_stream_hides_the_first_hops_and_the_target() -> None:
    lines = run("--stream", "--privacy", "2", "--hide-target").splitlines()
    rounds = [json.loads(line) for line in lines if '"type":"round"' in line.replace(" ", "")]
    assert rounds, lines
    assert not any(secret in "\n".join(lines) for secret in (*INSIDE, "198.51.100.9", "target.example"))
    addresses = [hop["address"] for hop in rounds[-1]["hops"]]
    assert addresses == [HIDDEN, HIDDEN, "203.0.113.5", HIDDEN]


def test_with_flows_the_reports_leave_out_the_flows_and_paths_that_name_every_router() -> None:
    plain = json.loads(run("--json", "--flows", "4"))
    assert plain["flows"] and plain["paths"]  # without privacy they are there
    for argv in (("--json",), ("--report",), ("--csv",)):
        out = run(*argv, "--flows", "4", "--privacy", "2")
        assert not any(address in out for address in INSIDE), out
        assert HIDDEN in out
    report = json.loads(run("--json", "--flows", "4", "--privacy", "2"))
    assert "flows" not in report and "paths" not in report
