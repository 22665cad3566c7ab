"""Runs an ``--mda`` discovery (:mod:`tuitrace.probe.mda`) over a ``Network`` before the trace starts.

A loop of its own rather than the engine's: discovery is adaptive (each batch depends on the answers to the
last), short (seconds), and ends by itself; the engine then traces the flows it found continuously.
"""

from __future__ import annotations

import json
import subprocess

from tuitrace.config import Mode
from tuitrace.probe.mda import MdaDiscovery, MdaResult
from tuitrace.probe.network import Network
from tuitrace.probe.rounds import NS

IDLE_WAIT = 0.5
ROUTE_TIMEOUT = 2.0


def discover(network: Network, discovery: MdaDiscovery) -> MdaResult:
    """Send what the discovery asks for, hand it every reply, until it is finished. On this host's own
    network, its routing table says first whether the first hop can branch at all."""
    config = discovery.config
    local = network.mode is not Mode.SIMULATED and config.first_ttl == 1
    if local and one_next_hop(config.target, config.family):
        discovery.source_has_one_next_hop()
    while True:
        for probe in discovery.poll(network.now_ns()):
            try:
                tx_ns = network.send(probe)
            except OSError:
                discovery.send_failed(probe)
            else:
                discovery.sent(probe, tx_ns)
        if discovery.finished:
            return discovery.result()
        deadline = discovery.next_deadline()
        timeout = IDLE_WAIT if deadline is None else max(0.0, (deadline - network.now_ns()) / NS)
        for reply in network.receive(min(timeout, IDLE_WAIT)).replies:
            discovery.on_reply(reply)


def one_next_hop(target: str, family: int) -> bool:
    """Whether every route of this host towards ``target``, in every table, has one next hop (so the
    first TTL cannot branch); ``False`` when that cannot be told (no ``ip``, an error)."""
    argv = ["ip", "-j", f"-{family}", "route", "show", "table", "all", "to", "match", target]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=ROUTE_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and routes_have_one_next_hop(done.stdout)


def routes_have_one_next_hop(text: str) -> bool:
    """``ip -j route show`` output: at least one route, none with several next hops (``nexthops``), and no
    two routes for one prefix at one metric in one table (how a kernel may list an IPv6 multipath route)."""
    try:
        routes = json.loads(text)
    except ValueError:
        return False
    if not isinstance(routes, list) or not routes or not all(isinstance(route, dict) for route in routes):
        return False
    seen: set[tuple[str, str, str]] = set()
    for route in routes:
        if len(route.get("nexthops") or ()) > 1:
            return False
        key = (str(route.get("table", "main")), str(route.get("dst")), str(route.get("metric", 0)))
        if key in seen:
            return False
        seen.add(key)
    return True
