"""What the socket back-ends share: the family, options every socket gets (interface, TOS, non-blocking),
a self-pipe that wakes a waiting ``receive`` from another thread, and closing it all."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
import struct
import time
from pathlib import Path

from tuitrace.errors import TuitraceError, plain_reason
from tuitrace.probe.types import LocalIdentity

WILDCARD = {4: "0.0.0.0", 6: "::"}
IP_MTU_DISCOVER = getattr(socket, "IP_MTU_DISCOVER", 10)
IP_PMTUDISC_PROBE = getattr(socket, "IP_PMTUDISC_PROBE", 3)
IP_MTU = getattr(socket, "IP_MTU", 14)
IPV6_MTU_DISCOVER = getattr(socket, "IPV6_MTU_DISCOVER", 23)
IPV6_PMTUDISC_PROBE = getattr(socket, "IPV6_PMTUDISC_PROBE", 3)
IPV6_MTU = getattr(socket, "IPV6_MTU", 24)
IPV6_DONTFRAG = getattr(socket, "IPV6_DONTFRAG", 62)
FALLBACK_MTU = {4: 1500, 6: 1500}
SIOCGIFADDR = 0x8915
SIOCGIFMTU = 0x8921
_IFREQ = struct.Struct("16s16x")


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


def set_dont_fragment(sock: socket.socket, family: int) -> None:
    """Don't Fragment on every probe, and no fragmentation by this host (``-F``, ``--mtu``). The path MTU
    the kernel has learnt is not applied ("probe" mode): a probe larger than a link on the path gets that
    link's router to say so, on every run, instead of failing here because an earlier trace taught the
    kernel; only a probe larger than the outgoing interface fails, with EMSGSIZE."""
    if family == 4:
        sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_PROBE)
    else:
        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE)
        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_DONTFRAG, 1)


def _interface_of(address: str, family: int) -> str | None:
    """The name of the interface that holds ``address`` (IPv6 from /proc/net/if_inet6)."""
    if family == 6:
        packed = socket.inet_pton(socket.AF_INET6, address).hex()
        with contextlib.suppress(OSError):
            for line in Path("/proc/net/if_inet6").read_text(encoding="ascii").splitlines():
                fields = line.split()
                if len(fields) >= 6 and fields[0] == packed:
                    return fields[5]
        return None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as query:
        for _index, name in socket.if_nameindex():
            with contextlib.suppress(OSError):
                answer = fcntl.ioctl(query.fileno(), SIOCGIFADDR, _IFREQ.pack(name.encode()) + bytes(8))
                if socket.inet_ntoa(answer[20:24]) == address:
                    return name
    return None


def interface_mtu(name: str) -> int | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as query, contextlib.suppress(OSError):
        answer = fcntl.ioctl(query.fileno(), SIOCGIFMTU, _IFREQ.pack(name.encode()) + bytes(8))
        return int(struct.unpack_from("@i", answer, 16)[0])
    return None


def route_mtu(family: int, target: str, source: str | None, interface: str | None) -> int:
    """The MTU of the interface probes to ``target`` leave by, as traceroute ``--mtu`` starts with (a
    smaller path MTU the kernel may have learnt is not used: the trace finds it again, and where)."""
    af = socket.AF_INET if family == 4 else socket.AF_INET6
    mtu = None
    with socket.socket(af, socket.SOCK_DGRAM) as probe, contextlib.suppress(OSError):
        if interface:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
        if source:
            probe.bind((source, 0))
        probe.connect((target, 33434))
        name = interface or _interface_of(strip_scope(probe.getsockname()[0]), family)
        mtu = interface_mtu(name) if name else None
        if mtu is None:
            level = socket.IPPROTO_IP if family == 4 else socket.IPPROTO_IPV6
            mtu = int(probe.getsockopt(level, IP_MTU if family == 4 else IPV6_MTU))
    return min(0xFFFF, mtu or FALLBACK_MTU[family])


def source_port_error(port: int, kind: str, exc: OSError) -> TuitraceError:
    """``--sport PORT`` could not be bound: one line saying why (the port must be ours alone, so that the
    answers to our probes reach us and no other program's traffic is taken for them)."""
    if exc.errno == errno.EADDRINUSE:
        reason = "another program on this machine uses it"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        reason = "ports below net.ipv4.ip_unprivileged_port_start need root or CAP_NET_BIND_SERVICE"
    else:
        reason = plain_reason(exc)
    return TuitraceError(f"--sport {port}: cannot hold {kind} port {port} for the probes: {reason}")


class SocketBackend:
    """Base of the raw and unprivileged networks; subclasses open their sockets through ``_adopt`` and set
    ``_identity`` once they know their ports."""

    _identity: LocalIdentity

    def __init__(
        self,
        family: int,
        target: str,
        *,
        source: str | None,
        interface: str | None,
        tos: int,
        dont_fragment: bool = False,
    ) -> None:
        self._source = route_source(family, target, source, interface)
        self._family = family
        self._af = socket.AF_INET if family == 4 else socket.AF_INET6
        self._target = target
        self._interface = interface
        self._source_bind = source
        self._bind_address = source or WILDCARD[family]
        self._tos = tos
        self._dont_fragment = dont_fragment
        self._sockets: list[socket.socket] = []
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)

    @property
    def family(self) -> int:
        return self._family

    @property
    def identity(self) -> LocalIdentity:
        return self._identity

    def path_mtu(self) -> int:
        """The largest probe that can leave toward the target (after EMSGSIZE: what fits)."""
        return route_mtu(self._family, self._target, self._source_bind, self._interface)

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
        if self._dont_fragment and sock.type in (socket.SOCK_RAW, socket.SOCK_DGRAM):
            set_dont_fragment(sock, self._family)
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
