"""The scenario fields the findings need (drop, return_extra_hops, loop_from, change, tcp_reset_port):
what they do on the simulated network, and a one-line ScenarioError for bad values."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.diagnose.simulate import run_data
from tuitrace.probe.scenario import ScenarioError, parse_scenario


def scenario(hop2: dict[str, Any] | None = None, target: dict[str, Any] | None = None,
             **path: Any) -> dict[str, Any]:
    return {
        "path": {"family": 4, "source": "192.0.2.1", "target": "198.51.100.9", **path},
        "hop": [{"responders": ["192.0.2.254"]}, {"responders": ["203.0.113.1"], **(hop2 or {})},
                {"responders": ["203.0.113.5"]}],
        "target": target or {},
        "run": {"protocol": "icmp", "rounds": 20, "max_ttl": 10},
    }


def test_drop_loses_traffic_behind_the_hop_not_its_own_answers() -> None:
    snap = run_data(scenario({"drop": 0.5}))
    loss = {hop.ttl: hop.loss_pct for hop in snap.hops}
    assert loss[1] == loss[2] == 0.0
    assert loss[3] > 20.0 and loss[4] > 20.0


def test_return_extra_hops_lowers_the_reply_ttl() -> None:
    snap = run_data(scenario(target={"return_extra_hops": 5}))
    end = snap.hops[-1].responders[0]
    assert end.is_target and end.reply_ttl == 64 - (4 + 5) + 1


def test_loop_from_cycles_back_and_never_reaches_the_target() -> None:
    snap = run_data(scenario(loop_from=2))
    assert not snap.reached
    assert [h.responders[0].address for h in snap.hops[:6]] == [
        "192.0.2.254", "203.0.113.1", "203.0.113.5", "203.0.113.1", "203.0.113.5", "203.0.113.1"]


def test_change_swaps_the_hops_responder_from_its_time_on() -> None:
    snap = run_data(scenario({"change": {"at_s": 10.0, "responders": ["203.0.113.7"]}}))
    shares = {r.address: r.received for r in snap.hops[1].responders}
    assert set(shares) == {"203.0.113.1", "203.0.113.7"}
    assert 8 <= shares["203.0.113.1"] <= 12 and 8 <= shares["203.0.113.7"] <= 12  # 20 rounds, 1 s apart


def test_tcp_reset_port_answers_for_the_target_from_the_hop() -> None:
    data = scenario({"tcp_reset_port": 443})
    data["run"] = {"protocol": "tcp", "port": 443, "rounds": 4}
    snap = run_data(data)
    end = snap.hops[-1]
    assert end.ttl == 3 and end.responders[0].is_target and end.responders[0].reply_ttl == 63
    data["run"]["port"] = 80  # another port passes the middlebox
    assert run_data(data).hops[-1].ttl == 4


@pytest.mark.parametrize(("data", "message"), [
    (scenario({"drop": 1.5}), "loss and drop are probabilities"),
    (scenario(target={"loss": 2}), "loss and drop are probabilities"),
    (scenario({"rtt_ms": float("nan")}), r"rtt_ms must be a number in 0\.\.3600000, not nan"),
    (scenario({"rtt_ms": float("inf")}), "rtt_ms must be a number in"),
    (scenario({"rtt_ms": 1e308}), "rtt_ms must be a number in"),
    (scenario({"jitter_ms": -1}), "jitter_ms must be a number in"),
    (scenario({"loss": True}), "loss must be a number in"),
    (scenario({"change": {"at_s": float("inf"), "responders": ["203.0.113.7"]}}), "at_s must be a number in"),
    (scenario({"return_extra_hops": "many"}), "return_extra_hops must be a whole number"),
    (scenario(target={"return_extra_hops": 99}), "return_extra_hops must be a whole number"),
    (scenario(loop_from=3), "loop_from must be the number of a hop before the last"),
    (scenario(loop_from="2"), "loop_from must be"),
    (scenario({"change": {"at_s": 3}}), "change must be a table with at_s and a non-empty responders"),
    (scenario({"change": ["203.0.113.7"]}), "change must be a table"),
    (scenario({"change": {"at_s": 3, "responders": ["not-an-address"]}}), "hop 2"),
    (scenario({"tcp_reset_port": 0}), "tcp_reset_port must be a port"),
    (scenario({"tcp_reset_port": True}), "tcp_reset_port must be a port"),
])
def test_bad_values_are_one_line_errors(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        parse_scenario(data)
