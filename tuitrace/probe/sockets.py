"""What the socket back-ends share: the family, options every socket gets (interface, TOS, non-blocking),
a self-pipe that wakes a waiting ``receive`` from another thread, and closing it all."""

from __future__ import annotations

import contextlib
import os
import socket
import time

from tuitrace.errors import TuitraceError
from tuitrace.probe.types import LocalIdentity

WILDCARD = {4: "0.0.0.0", 6: "::"}


def random_bits(bits: int) -> int:
    """Unpredictable bits from the kernel (what ``secrets`` does, without loading it and ``hashlib`` on the
    way to the first probe)."""
    return int.from_bytes(os.urandom((bits + 7) // 8), "big") >> (-bits % 8)


def random_below(limit: int) -> int:
    """An unpredictable whole number in ``0 .. limit - 1`` (rejection sampling: no bias)."""
    bits = max(1, (limit - 1).bit_length())
    while True:
        value = random_bits(bits)
        if value < limit:
            return value


def strip_scope(address: str) -> str:
    return address.split("%", 1)[0]


def route_source(family: int, target: str, source: str | None, interface: str | None) -> str:
    """The address the kernel will send from toward ``target`` (nothing is sent to find out)."""
    af = socket.AF_INET if family == 4 else socket.AF_INET6
    with socket.socket(af, socket.SOCK_DGRAM) as probe:
        try:
            if interface:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
            if source:
                probe.bind((source, 0))
            probe.connect((target, 33434))
        except OSError as exc:
            raise TuitraceError(f"no route to {target}: {exc.strerror or exc}") from exc
        return strip_scope(probe.getsockname()[0])


class SocketBackend:
    """Base of the raw and unprivileged networks; subclasses open their sockets through ``_adopt`` and set
    ``_identity`` once they know their ports."""

    _identity: LocalIdentity

    def __init__(
        self, family: int, target: str, *, source: str | None, interface: str | None, tos: int
    ) -> None:
        self._source = route_source(family, target, source, interface)
        self._family = family
        self._af = socket.AF_INET if family == 4 else socket.AF_INET6
        self._target = target
        self._interface = interface
        self._source_bind = source
        self._bind_address = source or WILDCARD[family]
        self._tos = tos
        self._sockets: list[socket.socket] = []
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)

    @property
    def family(self) -> int:
        return self._family

    @property
    def identity(self) -> LocalIdentity:
        return self._identity

    def now_ns(self) -> int:
        return time.time_ns()

    def _adopt(self, sock: socket.socket, *, keep: bool = True) -> socket.socket:
        """Non-blocking, on the chosen interface, with the chosen TOS; closed with the network if ``keep``."""
        if keep:
            self._sockets.append(sock)
        sock.setblocking(False)
        if self._interface:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, self._interface.encode())
            except OSError as exc:
                sock.close()
                raise TuitraceError(f"cannot use interface {self._interface}: {exc.strerror}") from exc
        if self._tos:
            if self._family == 4:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, self._tos)
            else:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, self._tos)
        return sock

    def _clear_wake(self) -> None:
        with contextlib.suppress(BlockingIOError):
            os.read(self._wake_r, 4096)

    def wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_w, b"!")

    def close(self) -> None:
        for sock in self._sockets:
            sock.close()
        self._sockets.clear()
        for fd in (self._wake_r, self._wake_w):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._wake_r = self._wake_w = -1
