"""Raw-socket back-end: ICMP echo, UDP and TCP SYN probes with the TTL as ancillary data (one syscall per
probe), replies read in batches with kernel receive timestamps (SO_TIMESTAMPNS).

Sockets:
- an ICMP (ICMPv6) raw socket sends echo requests and receives every ICMP message: echo replies and the
  errors that quote our UDP/TCP/ICMP probes;
- a raw UDP socket sends UDP probes whose checksum we compute (steered by the payload to carry the probe's
  key: the kernel would leave a partial checksum on offloading devices such as veth or loopback, and the
  ICMP quote would lose it); it never reads (a drop-all socket filter), and a bound UDP datagram socket
  reserves our source port;
- for TCP, a raw TCP socket sends SYNs and receives SYN-ACK/RST, and a bound (never listening) TCP socket
  reserves our source port so that the kernel resets any half-open connection a SYN-ACK would start.
"""

from __future__ import annotations

import ctypes
import errno
import select
import socket
import struct
import time

from tuitrace.config import Mode, Protocol, Setting
from tuitrace.errors import RAW_SOCKET_HINT, PrivilegeError, TuitraceError
from tuitrace.probe.inbox import Inbox
from tuitrace.probe.network import Arrivals, Layer
from tuitrace.probe.sockets import SocketBackend, random_below, random_bits, source_port_error, strip_scope
from tuitrace.probe.types import LocalIdentity, Probe
from tuitrace.probe.wire import ProbeEncoder

SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
SO_ATTACH_FILTER = getattr(socket, "SO_ATTACH_FILTER", 26)
_TIMESPEC = struct.Struct("@qq")
_INT = struct.Struct("@i")
_CMSG_SPACE = socket.CMSG_SPACE(_TIMESPEC.size) + socket.CMSG_SPACE(_INT.size) + 64
_BPF = struct.Struct("@HBBI")
_BPF_RET_ZERO = _BPF.pack(0x06, 0, 0, 0)
_RESERVE_ATTEMPTS = 20
"""Tries to find consecutive free TCP ports for ``--flows`` before giving up."""
_BATCH = 512
"""Most packets read from one socket per wake-up, so one busy socket cannot starve the loop."""


def _attach_filter(sock: socket.socket, program: bytes) -> None:
    buffer = ctypes.create_string_buffer(program)
    fprog = struct.pack("@HP", len(program) // _BPF.size, ctypes.addressof(buffer))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)


def _drop_everything(sock: socket.socket) -> None:
    """A one-instruction classic BPF filter ("return 0"): a send-only raw socket queues nothing."""
    _attach_filter(sock, _BPF_RET_ZERO)


def _only_tcp_to_port(sock: socket.socket, family: int, port: int, count: int = 1) -> None:
    """Let the raw TCP socket queue only segments to our source ports (``port`` and the ``count - 1``
    after it), not every TCP segment the host gets.

    IPv4 raw sockets see the IP header (its length is in the low nibble of byte 0); IPv6 ones start at TCP.
    """
    v4_port = [_BPF.pack(0xB1, 0, 0, 0), _BPF.pack(0x48, 0, 0, 2)]  # ldx 4*([0]&0xf); ldh [x+2]
    v6_port = [_BPF.pack(0x28, 0, 0, 2)]  # ldh [2]
    load_port = v4_port if family == 4 else v6_port
    compare = [
        _BPF.pack(0x35, 0, 2, port),  # jge port, else to "ret 0"
        _BPF.pack(0x25, 1, 0, port + count - 1),  # jgt last port: to "ret 0"
        _BPF.pack(0x06, 0, 0, 0xFFFF),
        _BPF_RET_ZERO,
    ]
    _attach_filter(sock, b"".join(load_port + compare))


class RawNetwork(SocketBackend):
    """``Network`` over raw sockets (needs CAP_NET_RAW)."""

    def __init__(
        self,
        family: int,
        target: str,
        *,
        source: str | None = None,
        interface: str | None = None,
        tos: int = 0,
        dont_fragment: bool = False,
        tcp_ports: int = 1,
        source_port: int | None = None,
    ) -> None:
        super().__init__(family, target, source=source, interface=interface, tos=tos,
                         dont_fragment=dont_fragment)
        self._tcp_ports = tcp_ports
        """TCP source ports to reserve, one per flow of ``--flows``."""
        self._source_port = source_port
        """``--sport``: the UDP source port and the first TCP one (else the kernel picks free ones)."""
        try:
            self._open_sockets()
        except BaseException:
            self.close()
            raise

    def _open_sockets(self) -> None:
        family = self._family
        self._icmp = self._raw(socket.IPPROTO_ICMP if family == 4 else socket.IPPROTO_ICMPV6)
        self._udp = self._raw(socket.IPPROTO_UDP)
        _drop_everything(self._udp)
        self._udp_reserve = self._open(socket.SOCK_DGRAM, 0, self._source_port)
        if self._source_port is None:
            self._tcp_reserve = self._reserve_tcp_ports(self._tcp_ports)
        else:
            self._tcp_reserve = self._hold_tcp_ports(self._source_port, self._tcp_ports)
        self._tcp: socket.socket | None = None
        self._identity = LocalIdentity(
            icmp_id=random_below(0xFFFE) + 1,
            udp_port=self._udp_reserve.getsockname()[1],
            tcp_port=self._tcp_reserve.getsockname()[1],
            source=self._source,
            tcp_seq_base=random_bits(32),
            tcp_ports=self._tcp_ports,
        )
        self._fds: list[int] = [self._wake_r]
        self._readers: dict[int, tuple[socket.socket, Layer]] = {}
        self._watch(self._icmp, Layer.ICMP4_IP if family == 4 else Layer.ICMP6)
        self._ttl_level = socket.IPPROTO_IP if family == 4 else socket.IPPROTO_IPV6
        self._ttl_option = socket.IP_TTL if family == 4 else socket.IPV6_HOPLIMIT
        self._ttl_cmsgs: dict[int, list[tuple[int, int, bytes]]] = {}
        """The TTL ancillary data of each TTL, built once."""
        self._encoder = ProbeEncoder(self._identity)
        self._inbox = Inbox(self._identity, family)

    # -- sockets --------------------------------------------------------------------------------------
    def _raw(self, proto: int) -> socket.socket:
        try:
            sock = socket.socket(self._af, socket.SOCK_RAW, proto)
        except PermissionError as exc:
            raise PrivilegeError(RAW_SOCKET_HINT) from exc
        return self._setup(sock)

    def _reserve_tcp_ports(self, count: int) -> socket.socket:
        """Bind a TCP socket to a free port and, for ``--flows``, the ``count - 1`` ports after it too (each
        flow has its own source port; a bound port keeps other programs off it and lets the kernel reset
        the half-open connection a SYN-ACK would start). Returns the socket of the first port."""
        for _attempt in range(_RESERVE_ATTEMPTS):
            first = self._open(socket.SOCK_STREAM, 0)
            port = first.getsockname()[1]
            if port + count - 1 > 0xFFFF:
                first.close()
                continue
            bound = [first]
            try:
                for offset in range(1, count):
                    bound.append(self._setup(socket.socket(self._af, socket.SOCK_STREAM, 0)))
                    bound[-1].bind((self._bind_address, port + offset))
            except OSError:  # a port after ours is taken: let these go and try elsewhere
                for sock in bound:
                    sock.close()
                continue
            return first
        raise PrivilegeError(f"found no {count} consecutive free TCP ports for --flows {count}")

    def _hold_tcp_ports(self, first: int, count: int) -> socket.socket:
        """``--sport``: bind ``first`` and the ``count - 1`` ports after it (one per TCP flow), or say in
        one line why not. Returns the socket of the first port."""
        if first + count - 1 > 0xFFFF:
            last = first + count - 1
            raise TuitraceError(f"--sport {first}: {count} TCP flows need ports {first}..{last}, beyond "
                                "65535: choose a lower port")
        bound = [self._open(socket.SOCK_STREAM, 0, first)]
        try:
            bound.extend(self._open(socket.SOCK_STREAM, 0, port) for port in range(first + 1, first + count))
        except TuitraceError:
            for sock in bound:
                sock.close()
            raise
        return bound[0]

    def _open(self, kind: int, proto: int, port: int | None = None) -> socket.socket:
        sock = self._setup(socket.socket(self._af, kind, proto))
        try:
            sock.bind((self._bind_address, port or 0))
        except OSError as exc:
            if port is None:
                raise
            sock.close()
            raise source_port_error(port, "TCP" if kind == socket.SOCK_STREAM else "UDP", exc) from None
        return sock

    def _setup(self, sock: socket.socket) -> socket.socket:
        self._adopt(sock)
        if sock.type == socket.SOCK_RAW:
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            if self._family == 6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
            if self._source_bind:
                sock.bind((self._source_bind, 0))
        return sock

    def _watch(self, sock: socket.socket, layer: Layer) -> None:
        self._readers[sock.fileno()] = (sock, layer)
        self._fds.append(sock.fileno())

    # -- Network protocol -----------------------------------------------------------------------------
    @property
    def mode(self) -> Mode:
        return Mode.RAW

    def prepare(self, setting: Setting) -> None:
        if setting.protocol is Protocol.TCP and self._tcp is None:
            self._tcp = self._raw(socket.IPPROTO_TCP)
            _only_tcp_to_port(self._tcp, self._family, self._identity.tcp_port, self._identity.tcp_ports)
            self._watch(self._tcp, Layer.TCP4_IP if self._family == 4 else Layer.TCP6)

    def send(self, probe: Probe) -> int:
        protocol = probe.setting.protocol
        if protocol is _ICMP:
            sock = self._icmp
        elif protocol is _UDP:
            sock = self._udp
        else:
            if self._tcp is None:
                self.prepare(probe.setting)
            assert self._tcp is not None
            sock = self._tcp
        data = self._encoder.encode(probe)
        ttl = self._ttl_cmsgs.get(probe.ttl)
        if ttl is None:
            ttl = self._ttl_cmsgs[probe.ttl] = [(self._ttl_level, self._ttl_option, _INT.pack(probe.ttl))]
        address = (probe.target, 0)
        tx_ns = time.time_ns()
        try:
            sock.sendmsg([data], ttl, 0, address)
        except BlockingIOError:  # send buffer full: wait for room once, then give up on this probe
            select.select([], [sock], [], 0.01)
            tx_ns = time.time_ns()
            sock.sendmsg([data], ttl, 0, address)
        return tx_ns

    def receive(self, timeout: float) -> Arrivals:
        # select() waits with microsecond precision; poll() would round every wait up to a millisecond,
        # which caps the probe rate when rounds are due more often than that.
        ready, _, _ = select.select(self._fds, [], [], max(0.0, timeout))
        for fd in ready:
            if fd == self._wake_r:
                self._clear_wake()
                continue
            entry = self._readers.get(fd)
            if entry is not None:
                self._drain(entry[0], entry[1])
        return self._inbox.take()

    def _drain(self, sock: socket.socket, layer: Layer) -> None:
        v4 = self._family == 4
        add = self._inbox.add
        for _ in range(_BATCH):
            try:
                data, ancdata, _flags, address = sock.recvmsg(65535, _CMSG_SPACE)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in (errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH):
                    continue
                raise
            rx_ns = 0
            hop_limit = None
            for level, kind, value in ancdata:
                if level == _SOL_SOCKET and kind == SO_TIMESTAMPNS and len(value) >= _TIMESPEC_SIZE:
                    sec, nsec = _timespec(value)
                    rx_ns = sec * 1_000_000_000 + nsec
                elif level == _IPPROTO_IPV6 and kind == _IPV6_HOPLIMIT and len(value) >= _INT_SIZE:
                    hop_limit = _int(value)[0]
            source = "" if not address else address[0] if v4 else strip_scope(address[0])
            add(data, layer, rx_ns or time.time_ns(), source, hop_limit)


_ICMP, _UDP = Protocol.ICMP, Protocol.UDP
_SOL_SOCKET, _IPPROTO_IPV6, _IPV6_HOPLIMIT = socket.SOL_SOCKET, socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT
_TIMESPEC_SIZE, _INT_SIZE = _TIMESPEC.size, _INT.size
_timespec = _TIMESPEC.unpack_from
_int = _INT.unpack_from
