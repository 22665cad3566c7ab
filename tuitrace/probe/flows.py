"""Flow variation for ``--flows N``: which header field makes probe flow *f* a 5-tuple of its own.

Load balancers (ECMP) hash a packet's flow fields and send every packet of one flow down one branch.
Paris traceroute keeps those fields fixed so that a trace follows one branch; Dublin traceroute varies them
on purpose to map every branch. ``--flows N`` does both: N flows, numbered 1..N, each with fields fixed for
the whole run, so each flow follows one branch hop by hop and the flows together cover the branches.

What varies, per protocol (flow 1 is the trace's own tuple, the one an application with that port uses):

- **UDP**: the destination port, ``base + f - 1`` (``base`` is ``-p`` or 33434), as Dublin traceroute does.
  The source port stays our mark and the checksum keeps carrying the probe's key, so matching is unchanged;
- **TCP**: the source port, ``our port + f - 1``: the destination port is the application's and stays. The
  identity codec accepts our ``N`` consecutive source ports (:mod:`tuitrace.probe.identity`);
- **ICMP**: the checksum. Routers that hash ICMP hash its first four bytes (type, code, checksum); the
  sequence number carries the key and changes per probe, so two payload bytes compensate it and the
  checksum stays one value per flow (:func:`icmp_steering`), as Paris traceroute does;
- **IPv6 flow label**: not varied. Linux lets a socket send a chosen label only under a flow-label lease
  (``IPV6_FLOWLABEL_MGR``); without one the kernel labels every probe of our raw socket to one target alike.
  Routers that hash the label with the 5-tuple still see N flows; a router that hashes the label alone sees
  one.

Unprivileged sockets: UDP varies its destination port as in raw mode; ICMP through a ping socket keeps the
kernel's identifier but our payload steers the checksum all the same; TCP cannot keep a flow (each probe is
the kernel's own ``connect`` from a new source port, so every probe is a flow of its own), so ``--flows``
with unprivileged TCP is refused.

Pure functions only: no sockets, so every rule has a three-line test.
"""

from __future__ import annotations

import struct

from tuitrace.config import UDP_BASE_PORT, Protocol, Setting
from tuitrace.defaults import FLOWS

FLOWS_MAX = int(FLOWS.high)
"""Most flows one trace probes at once (Dublin traceroute's default is 20; 64 covers 8-way stages twice
over with room to spare)."""

UNPRIVILEGED_TCP_FLOWS_HINT = (
    "--flows with TCP needs raw sockets (sudo, or setcap cap_net_raw+ep on the Python binary): without them "
    "every TCP probe is the kernel's own connect from a new source port, so no flow keeps its 5-tuple"
)
_U16 = struct.Struct("!H")
_FLOW_CHECKSUM_STEP = 0x0407
"""Flow f's ICMP words sum to ``f * step``: distinct for every flow up to 65535 // step > FLOWS_MAX."""


def udp_flow_port(setting: Setting, flow: int) -> int:
    """The destination port of UDP flow ``flow`` (1..N): the base port plus ``flow - 1``, wrapping below
    65536 so that ``-p 65535`` still gives N distinct ports."""
    base = setting.port if setting.port is not None else UDP_BASE_PORT
    return (base - 1 + flow - 1) % 65535 + 1


def tcp_flow_port(our_port: int, flow: int) -> int:
    """The source port of TCP flow ``flow`` (1..N); flow 0 (no flows) uses our port itself."""
    return our_port + flow - 1 if flow > 0 else our_port


def icmp_steering(sequence: int, flow: int) -> bytes:
    """Two payload bytes that make ``sequence + steering`` the same ones' complement sum for every probe of
    ``flow``: the echo's checksum is then one value per flow whatever the sequence number (the key)."""
    wanted = (flow * _FLOW_CHECKSUM_STEP) % 0xFFFF
    total = wanted + (~sequence & 0xFFFF)  # wanted - sequence in ones' complement arithmetic
    total = (total & 0xFFFF) + (total >> 16)
    return _U16.pack(total & 0xFFFF)


def describe(protocol: Protocol, flow: int, *, dport: int, sport: int, udp_sport: int | None = None) -> str:
    """What makes the flow a flow, for the reports: ``UDP sport 40001 dport 33436``, ``TCP sport 40312
    dport 443``... (the UDP source port, the same for every flow, when known)."""
    if protocol is Protocol.UDP:
        return f"UDP dport {dport}" if udp_sport is None else f"UDP sport {udp_sport} dport {dport}"
    if protocol is Protocol.TCP:
        return f"TCP sport {sport} dport {dport}"
    return f"ICMP checksum #{flow} (steered)"
