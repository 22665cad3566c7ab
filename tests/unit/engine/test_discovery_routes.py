"""The routing-table evidence ``--mda`` takes for its first hop: ``ip -j route show`` output, read."""

from __future__ import annotations

import json

import pytest

from tuitrace.engine.discovery import routes_have_one_next_hop

ONE = {"dst": "default", "gateway": "192.0.2.1", "dev": "eth0", "flags": []}
TWO_NEXT_HOPS = {"dst": "10.1.5.0/24", "flags": [], "nexthops": [
    {"gateway": "10.1.1.2", "dev": "a", "weight": 1}, {"gateway": "10.1.2.2", "dev": "b", "weight": 1}]}


def test_one_route_through_one_gateway_is_evidence() -> None:
    assert routes_have_one_next_hop(json.dumps([ONE]))
    assert routes_have_one_next_hop(json.dumps([ONE, {**ONE, "dst": "10.0.0.0/8", "gateway": "192.0.2.9"}]))


@pytest.mark.parametrize("routes", [
    [TWO_NEXT_HOPS],
    [ONE, TWO_NEXT_HOPS],
    [{**ONE, "metric": 1024}, {**ONE, "gateway": "192.0.2.2", "metric": 1024}],  # multipath as two routes
])
def test_several_next_hops_are_not(routes: list[dict[str, object]]) -> None:
    assert not routes_have_one_next_hop(json.dumps(routes))


@pytest.mark.parametrize("text", ["", "[]", "{}", "not json", "[1, 2]"])
def test_no_routes_or_garbage_is_no_evidence(text: str) -> None:
    assert not routes_have_one_next_hop(text)
