"""Guards for every test: in this process, sockets talk to loopback only.

Probes and lookups in tests go to loopback or to the namespace lab's own addresses, and the lab's traffic
comes from subprocesses inside its namespaces; anything this process sends elsewhere is a bug in a test,
so it fails before a packet leaves.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest


def _require_loopback(address: Any) -> None:
    if isinstance(address, tuple) and address:
        host = str(address[0]).split("%", 1)[0]
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise PermissionError(f"tests only talk to loopback, not {address!r}")


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any socket connect/send to a non-loopback address fails the test instead of leaving the machine."""
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_sendto = socket.socket.sendto

    def connect(self: socket.socket, address: Any) -> None:
        _require_loopback(address)
        original_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _require_loopback(address)
        return original_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        _require_loopback(args[-1])
        return original_sendto(self, data, *args)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket.socket, "sendto", sendto)
