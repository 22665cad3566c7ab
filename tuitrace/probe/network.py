"""The seam between the tracer and the world: a ``Network`` sends probes and hands back what arrived.

Back-ends: raw sockets (``rawnet``), unprivileged sockets (``unprivnet``), and a simulated network for tests
(``simnet``). Whatever the back-end, ``receive`` returns one type, ``Arrivals``: the replies that may answer
a probe, and how many things arrived that did not parse or certainly were not ours (counted and dropped).
Every back-end returns replies rather than raw packets because the unprivileged one has no packet to return:
the kernel hands it a summary of each ICMP error, on the socket of the probe it is about. Back-ends that do
read packets decode them in one place, :mod:`tuitrace.probe.inbox`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from tuitrace.config import Mode, Setting
from tuitrace.probe.types import LocalIdentity, Probe, Reply


class Layer(enum.Enum):
    """What a received buffer starts with."""

    ICMP4_IP = "icmp4+ip"
    """An IPv4 packet carrying ICMP (IPv4 raw sockets include the IP header)."""
    TCP4_IP = "tcp4+ip"
    ICMP6 = "icmp6"
    """An ICMPv6 message; source and hop limit come from the socket (IPv6 raw sockets strip the header)."""
    TCP6 = "tcp6"


@dataclass(frozen=True, slots=True)
class Received:
    """A packet as a raw socket delivers it (the simulated network keeps its replies in this form)."""

    data: bytes
    layer: Layer
    rx_ns: int
    source: str = ""
    hop_limit: int | None = None


class Arrivals(NamedTuple):
    """What one ``receive`` brought."""

    replies: list[Reply]
    dropped: int = 0
    """Packets (or error-queue entries) that did not parse or certainly answered none of our probes."""


class Network(Protocol):
    @property
    def family(self) -> int: ...

    @property
    def mode(self) -> Mode: ...

    @property
    def identity(self) -> LocalIdentity: ...

    def now_ns(self) -> int:
        """The clock that send and receive timestamps are on."""

    def prepare(self, setting: Setting) -> None:
        """Open whatever the setting needs (a receive socket for TCP...) before its first probe."""

    def send(self, probe: Probe) -> int:
        """Send one probe; returns its transmit timestamp. Raises ``OSError`` when the stack refuses."""

    def receive(self, timeout: float) -> Arrivals:
        """Wait up to ``timeout`` seconds for packets; return every one that is waiting, decoded."""

    def wake(self) -> None:
        """Make a ``receive`` in another thread return at once (thread-safe)."""

    def close(self) -> None: ...
