"""The first round, sent before the engine exists: what start-up does first.

Building the :class:`~tuitrace.engine.engine.Engine` loads the statistics and the event detector, and the
live screen loads Textual: all of that can happen while the first probes are on their way. So
``tuitrace.run`` opens the sockets, makes the tracer and sends what is due at once with
:func:`send_first_round`, and only then imports the rest and hands the started tracer to the engine.
The replies wait in the sockets with kernel timestamps, so their RTTs are true however long that takes.

:func:`send_due` is also the engine's own way of sending (one place for what a refused send means).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from tuitrace.config import TraceConfig
from tuitrace.probe.network import Network
from tuitrace.probe.tracer import Tracer


@dataclass(frozen=True, slots=True)
class FirstRound:
    """A tracer that has started and sent its first round, and when it started."""

    tracer: Tracer
    started_ns: int


def send_due(tracer: Tracer, network: Network, now: int) -> None:
    """Send every probe the tracer has due at ``now``; a probe the stack refuses is lost, one larger than
    the path allows (EMSGSIZE with Don't Fragment) tells ``--mtu`` the size that fits."""
    for probe in tracer.poll(now):
        try:
            tx_ns = network.send(probe)
        except OSError as exc:
            if exc.errno == errno.EMSGSIZE:
                path_mtu = getattr(network, "path_mtu", None)  # the socket back-ends know it
                tracer.too_big_to_send(probe, path_mtu() if path_mtu is not None else 0)
            else:
                tracer.send_failed(probe)
        else:
            tracer.sent(probe, tx_ns)


def send_first_round(config: TraceConfig, network: Network) -> FirstRound:
    """Start tracing ``config`` over ``network`` and send the first round now, in this thread (the
    privilege drop must still come before any other thread starts)."""
    tracer = Tracer(config, network.identity)
    network.prepare(config.setting)
    now = network.now_ns()
    tracer.start(now)
    send_due(tracer, network, now)
    return FirstRound(tracer, now)
