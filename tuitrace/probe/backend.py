"""Which back-end sends the probes: raw sockets when this process may open them, else unprivileged ones.

Most users should not need sudo to look at a path. Raw sockets see everything (any protocol, fixed 5-tuple
for TCP, the TTL of every reply), so they are chosen whenever permitted; without CAP_NET_RAW the
unprivileged back-end does the same job with ordinary sockets. ``--raw`` / ``--unprivileged`` force one.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from tuitrace.config import TCP_DEFAULT_PORT, Mode, Protocol, Setting, TraceConfig
from tuitrace.errors import RAW_SOCKET_HINT, PrivilegeError
from tuitrace.probe.flows import UNPRIVILEGED_TCP_FLOWS_HINT
from tuitrace.probe.mda import MDA_MAX_FLOWS
from tuitrace.probe.network import Network
from tuitrace.probe.rawnet import RawNetwork

if TYPE_CHECKING:  # loaded only when raw sockets are not permitted: start-up stays short with sudo
    from tuitrace.probe.unprivnet import UnprivilegedNetwork

NO_MODE_HINT = (
    "ICMP needs raw sockets (sudo, or setcap cap_net_raw+ep on the Python binary) or ping sockets for your "
    'group (sudo sysctl -w net.ipv4.ping_group_range="0 2147483647"); -U and -T work without either'
)
EVERY_PROTOCOL = (
    Setting(Protocol.ICMP, None),
    Setting(Protocol.UDP, None),
    Setting(Protocol.TCP, TCP_DEFAULT_PORT),
)


def _unprivileged(config: TraceConfig) -> UnprivilegedNetwork:
    from tuitrace.probe.unprivnet import UnprivilegedNetwork

    return UnprivilegedNetwork(
        config.family,
        config.target,
        source=config.source,
        interface=config.interface,
        tos=config.tos,
        wait=config.wait,
        dont_fragment=config.dont_fragment or config.mtu_discovery,
        source_port=config.source_port,
    )


def open_probing_network(config: TraceConfig, mode: Mode | None = None) -> Network:
    """Open the back-end ``mode`` asks for, or the best one permitted when ``mode`` is ``None``.

    Raises a one-line ``PrivilegeError`` naming what to change when no back-end can trace ``config``."""
    icmp = config.setting.protocol is Protocol.ICMP
    if mode is not Mode.UNPRIVILEGED:
        try:
            return RawNetwork(
                config.family,
                config.target,
                source=config.source,
                interface=config.interface,
                tos=config.tos,
                dont_fragment=config.dont_fragment or config.mtu_discovery,
                tcp_ports=MDA_MAX_FLOWS if config.mda_confidence else max(1, config.flows),
                source_port=config.source_port,
            )
        except PrivilegeError:
            if mode is Mode.RAW:
                raise PrivilegeError(RAW_SOCKET_HINT) from None
    if (config.flows or config.mda_confidence) and config.setting.protocol is Protocol.TCP:
        raise PrivilegeError(UNPRIVILEGED_TCP_FLOWS_HINT)
    network = _unprivileged(config)
    if config.source_port is not None and config.setting.protocol is Protocol.TCP:
        network.close()
        from tuitrace.probe.unprivnet import UNPRIVILEGED_TCP_SPORT_HINT

        raise PrivilegeError(UNPRIVILEGED_TCP_SPORT_HINT)
    if icmp and not network.icmp_allowed:
        network.close()
        from tuitrace.probe.unprivnet import PING_SOCKET_HINT

        raise PrivilegeError(PING_SOCKET_HINT if mode is Mode.UNPRIVILEGED else NO_MODE_HINT)
    return network


def open_every_protocol(network: Network) -> None:
    """Open now what any protocol will need (the raw TCP socket), so that switching protocol with a key
    still works after privileges are dropped. A protocol this mode cannot use stays unavailable."""
    for setting in EVERY_PROTOCOL:
        with contextlib.suppress(PrivilegeError):
            network.prepare(setting)
