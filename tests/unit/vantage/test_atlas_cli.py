"""``--atlas-file`` on the command line: planning beside the local trace, the options' one-line errors, and
a headless run where an Atlas path shares the local trace's hop (loopback only)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tuitrace.arguments import build_parser
from tuitrace.cli import parse_with_settings
from tuitrace.errors import TuitraceError
from tuitrace.multitarget import plan_targets
from tuitrace.vantage.atlas_results import PARSER_MISSING

DATA = Path(__file__).parent / "atlas_data"
ICMP = str(DATA / "icmp_v4.json")


def plan(*words: str) -> list[tuple[str, str]]:
    ns = build_parser().parse_words(list(words))
    plans = plan_targets(ns, ["tuitrace", *words], lambda _text: None, environ={})
    assert plans is not None
    return [(p.host, p.vantage) for p in plans]


def test_atlas_traces_join_the_local_one_or_stand_alone() -> None:
    assert plan("--atlas-file", ICMP, "-n", "--no-lookups", "127.0.0.1") == [
        ("127.0.0.1", "local"),
        ("www.example.net from atlas:1001 (? ?)", "atlas:1001"),
        ("www.example.net from atlas:1002 (? ?)", "atlas:1002")]
    alone = plan("--atlas-file", ICMP, "--atlas-probe-info", str(DATA / "probes.json"), "-n", "--no-lookups")
    assert [vantage for _h, vantage in alone] == ["atlas:1002", "atlas:1001"]  # DE, then NL
    assert plan("--atlas-file", ICMP, "--no-local", "-n", "--no-lookups", "127.0.0.1")[0][1] == "atlas:1001"


@pytest.mark.parametrize(("words", "message"), [
    (["--atlas", "5", "--atlas-file", ICMP], "--atlas and --atlas-file: choose one"),
    (["--atlas-probe-info", "p.json", "--atlas", "5"], "--atlas-probe-info goes with --atlas-file"),
    (["--atlas-probes", "5", "--atlas-file", ICMP], "--atlas-probes and --atlas-from choose the probes of "
     "--atlas-create"),
    (["--atlas", "12ab"], "--atlas needs a measurement number, not '12ab'"),
    (["--atlas-create", "--atlas-probes", "500", "h"], "--atlas-probes must be"),
    (["--atlas-create", "--atlas-from", "moon:1", "h"], "--atlas-from must be country:CC"),
    (["--atlas-create", "h1", "h2"], "--atlas-create traces one HOST: name it once"),
    (["--atlas-file", ICMP, "--stream"], "--stream follows one target"),
    (["--atlas-file", "/nonexistent/r.json"], "--atlas-file /nonexistent/r.json: No such file or directory"),
    (["--atlas-file", str(DATA / "probes.json")], f"{DATA / 'probes.json'} holds no RIPE Atlas traceroute"),
])
def test_what_cannot_work_is_one_line(words: list[str], message: str) -> None:
    with pytest.raises(TuitraceError) as caught:
        plan("-n", "--no-lookups", *words)
    assert str(caught.value).startswith(message)


def test_without_the_parser_every_atlas_option_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """ripe.atlas.sagan is an extra (GPL-3.0): without it, nothing is read or created, one line says why."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *rest: None if name.startswith("ripe") else real(name, *rest))
    for words in (["--atlas-file", ICMP], ["--atlas", "5"], ["--atlas-create", "h"]):
        with pytest.raises(TuitraceError) as caught:
            plan("-n", "--no-lookups", *words)
        assert str(caught.value) == PARSER_MISSING


ATLAS_TO_LOOPBACK = {
    "fw": 5080, "af": 4, "proto": "ICMP", "type": "traceroute", "prb_id": 6001, "msm_id": 71000009,
    "timestamp": 1764573000, "endtime": 1764573002, "dst_name": "127.0.0.1", "dst_addr": "127.0.0.1",
    "from": "198.51.100.60",
    "result": [{"hop": 1, "result": [{"from": "10.60.0.1", "ttl": 64, "size": 28, "rtt": 0.4}] * 3},
               {"hop": 2, "result": [{"from": "127.0.0.1", "ttl": 64, "size": 28, "rtt": 0.9}] * 3}],
}


@pytest.mark.skipif(os.geteuid() != 0, reason="the local trace needs raw sockets")
def test_a_headless_run_compares_the_atlas_path_with_the_local_one(tmp_path: Path) -> None:
    results = tmp_path / "loopback.json"
    results.write_text(json.dumps([ATLAS_TO_LOOPBACK]))
    done = subprocess.run([sys.executable, "-m", "tuitrace", "--json", "-n", "--no-lookups", "-c", "1",
                           "-w", "0.5", "--atlas-file", str(results), "127.0.0.1"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    local, atlas = json.loads(done.stdout)["traces"]
    assert (local["vantage"], atlas["vantage"]) == ("local", "atlas:6001")
    assert atlas["shared_with_local"] == [{"ttl": 2, "local_ttl": 1, "address": "127.0.0.1",
                                           "match": "address", "asn": None}]
    assert atlas["reached"] is True and [h["received"] for h in atlas["hops"]] == [3, 3]


@pytest.mark.parametrize("key", ["atlas-create = true", 'atlas = "5"', 'atlas-file = "r.json"',
                                 'atlas-from = "country:NL"'])
def test_atlas_options_are_no_configuration_keys(tmp_path: Path, key: str) -> None:
    """A measurement named or created on every run (spending credits each time) is never a setting."""
    config = tmp_path / "config.toml"
    config.write_text(key + "\n")
    with pytest.raises(TuitraceError, match=f"unknown key '{key.split(' ', maxsplit=1)[0]}'"):
        parse_with_settings(["--config", str(config), "127.0.0.1"], {})
