"""Runs an ``--mda`` discovery (:mod:`tuitrace.probe.mda`) over a ``Network`` before the trace starts.

A loop of its own rather than the engine's: discovery is adaptive (each batch depends on the answers to the
last), short (seconds), and ends by itself; the engine then traces the flows it found continuously.
"""

from __future__ import annotations

from tuitrace.probe.mda import MdaDiscovery, MdaResult
from tuitrace.probe.network import Network
from tuitrace.probe.rounds import NS

IDLE_WAIT = 0.5


def discover(network: Network, discovery: MdaDiscovery) -> MdaResult:
    """Send what the discovery asks for, hand it every reply, until it is finished."""
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
