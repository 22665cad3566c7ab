"""Unprivileged back-end: tracing without root or CAP_NET_RAW, on sockets any user may open.

- ICMP: a datagram "ping" socket (``IPPROTO_ICMP`` / ``IPPROTO_ICMPV6``, allowed for the groups in
  ``net.ipv4.ping_group_range``, which also governs IPv6). The kernel sets the echo id to the socket's
  "port" and delivers only our echo replies; ICMP errors about our echo requests land on its error queue.
- UDP: one ordinary UDP socket (one source port, so fixed-port probes keep one 5-tuple), a TTL per probe as
  ancillary data, the key in the payload, errors from the error queue.
- TCP: a non-blocking ``connect()`` per probe on a fresh socket with the probe's TTL. Its error queue has the
  routers' errors; a completed connection (SYN-ACK) or a refusal (RST) means the target answered, and the
  socket is closed at once with SO_LINGER 0 (the kernel resets the connection it just completed).

Every socket asks for ``IP_RECVERR`` / ``IPV6_RECVERR``, kernel receive timestamps and the TTL of what
arrives, so RTTs and reply TTLs come from the kernel as in raw mode. The kernel has already matched each
error to the socket of its probe, so every ``Reply`` from here names its probe: the TCP socket is the
probe's own, and for ICMP and UDP the identity codec reads the key from the bytes the error queue returns.
What does not parse is counted in ``Arrivals.dropped``, as in raw mode.
"""

from __future__ import annotations

import contextlib
import errno
import select
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

from tuitrace.config import Mode, Protocol, Setting
from tuitrace.defaults import WAIT_S
from tuitrace.errors import PrivilegeError
from tuitrace.packet.errors import PacketError
from tuitrace.packet.incoming import EchoReply, parse_icmp4_message, parse_icmp6_message
from tuitrace.probe import errqueue
from tuitrace.probe.identity import IdentityDecoder, udp_key_payload
from tuitrace.probe.network import Arrivals
from tuitrace.probe.sockets import SocketBackend, random_bits, source_port_error
from tuitrace.probe.types import LocalIdentity, Probe, ProbeId, Reply
from tuitrace.probe.wire import icmp_echo

PING_SOCKET_HINT = (
    "ICMP without root needs ping sockets for your group: "
    'sudo sysctl -w net.ipv4.ping_group_range="0 2147483647" (or trace with -U or -T, or use sudo)'
)

UNPRIVILEGED_TCP_SPORT_HINT = (
    "--sport with TCP needs raw sockets (sudo, or setcap cap_net_raw+ep on the Python binary): without them "
    "each TCP probe is the kernel's own connect, and probes in flight at once from one port to one "
    "destination port would be one connection"
)
_BUFFER = 2048
_CMSG_SPACE = socket.CMSG_SPACE(16) + 2 * socket.CMSG_SPACE(4) + socket.CMSG_SPACE(16 + 28) + 64
_BATCH = 512
_INT = struct.Struct("=i")
_LINGER_RESET = struct.pack("=ii", 1, 0)
_TCP_INFO = struct.Struct("=B67xI28xI")
"""``struct tcp_info``: tcpi_state first, tcpi_rtt (µs) at offset 68, tcpi_total_retrans at offset 100."""
_TCP_ESTABLISHED = 1
_SEND_TRIES = 3
"""A pending error (the last ICMP error, kept in ``sk_err``) fails the next send once and is then cleared."""
_TCP_SYNCNT = getattr(socket, "TCP_SYNCNT", 7)


@dataclass(slots=True)
class _Attempt:
    """One TCP probe: its own socket, alive until answered or overdue."""

    sock: socket.socket
    probe: Probe
    tx_ns: int


class UnprivilegedNetwork(SocketBackend):
    """``Network`` over ping, UDP and TCP sockets (no privileges needed; ICMP needs ping_group_range)."""

    def __init__(
        self,
        family: int,
        target: str,
        *,
        source: str | None = None,
        interface: str | None = None,
        tos: int = 0,
        wait: float = WAIT_S,
        dont_fragment: bool = False,
        source_port: int | None = None,
    ) -> None:
        super().__init__(family, target, source=source, interface=interface, tos=tos,
                         dont_fragment=dont_fragment)
        self._source_port = source_port
        """``--sport``: the UDP socket's port (TCP cannot have one here: ``UNPRIVILEGED_TCP_SPORT_HINT``)."""
        self._wait_ns = int(wait * 1_000_000_000) + 100_000_000
        self._level = socket.IPPROTO_IP if family == 4 else socket.IPPROTO_IPV6
        self._ttl_cmsg = errqueue.IP_TTL_CMSG if family == 4 else errqueue.IPV6_HOPLIMIT
        self._attempts: dict[int, _Attempt] = {}
        self._poll = select.poll()
        self._poll.register(self._wake_r, select.POLLIN)
        try:
            self._udp = self._bound(socket.socket(self._af, socket.SOCK_DGRAM), source_port)
            self._icmp = self._open_ping()
        except BaseException:
            self.close()
            raise
        self._identity = LocalIdentity(
            icmp_id=self._icmp.getsockname()[1] if self._icmp else 0,
            udp_port=self._udp.getsockname()[1],
            tcp_port=0,  # every TCP probe has its own port: replies are told apart by their socket
            source=self._source,
            tcp_seq_base=random_bits(32),
        )
        self._decoder = IdentityDecoder(self._identity, family)
        self._dropped = 0
        """Error-queue entries and echo replies that did not parse, since the last ``receive``."""

    # -- sockets --------------------------------------------------------------------------------------
    def _setup(self, sock: socket.socket, *, keep: bool = False) -> socket.socket:
        self._adopt(sock, keep=keep)
        sock.setsockopt(socket.SOL_SOCKET, errqueue.SO_TIMESTAMPNS, 1)
        if self._family == 4:
            sock.setsockopt(socket.IPPROTO_IP, errqueue.IP_RECVERR, 1)
            sock.setsockopt(socket.IPPROTO_IP, errqueue.IP_RECVTTL, 1)
        else:
            sock.setsockopt(socket.IPPROTO_IPV6, errqueue.IPV6_RECVERR, 1)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
        return sock

    def _bound(self, sock: socket.socket, port: int | None = None) -> socket.socket:
        """A datagram socket kept for the whole run, bound (to ``port``, else a free one) and read by
        ``receive``."""
        self._setup(sock, keep=True)
        try:
            sock.bind((self._bind_address, port or 0))
        except OSError as exc:
            if port is None:
                raise
            raise source_port_error(port, "UDP", exc) from None
        self._poll.register(sock.fileno(), select.POLLIN)
        return sock

    def _open_ping(self) -> socket.socket | None:
        proto = socket.IPPROTO_ICMP if self._family == 4 else socket.IPPROTO_ICMPV6
        try:
            sock = socket.socket(self._af, socket.SOCK_DGRAM, proto)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EPROTONOSUPPORT):
                return None  # our group is outside net.ipv4.ping_group_range
            raise
        return self._bound(sock)

    @property
    def icmp_allowed(self) -> bool:
        return self._icmp is not None

    # -- Network protocol -----------------------------------------------------------------------------
    @property
    def mode(self) -> Mode:
        return Mode.UNPRIVILEGED

    def prepare(self, setting: Setting) -> None:
        if setting.protocol is Protocol.ICMP and self._icmp is None:
            raise PrivilegeError(PING_SOCKET_HINT)
        if setting.protocol is Protocol.TCP and self._source_port is not None:
            raise PrivilegeError(UNPRIVILEGED_TCP_SPORT_HINT)

    def send(self, probe: Probe) -> int:
        protocol = probe.setting.protocol
        if protocol is Protocol.TCP:
            return self._connect(probe)
        if protocol is Protocol.ICMP:
            if self._icmp is None:
                raise PermissionError(errno.EACCES, PING_SOCKET_HINT)
            sock, data, port = self._icmp, icmp_echo(probe, self._identity), 0
        else:
            data = udp_key_payload(probe.key, probe.payload_len)
            sock, port = self._udp, probe.dport
        ancillary = [(self._level, self._ttl_cmsg, _INT.pack(probe.ttl))]
        for attempt in range(_SEND_TRIES):
            tx_ns = time.time_ns()
            try:
                sock.sendmsg([data], ancillary, 0, (probe.target, port))
            except BlockingIOError:
                select.select([], [sock], [], 0.01)
            except OSError:
                if attempt == _SEND_TRIES - 1:
                    raise
            else:
                return tx_ns
        raise BlockingIOError(errno.EAGAIN, "send buffer full")

    def _connect(self, probe: Probe) -> int:
        sock = socket.socket(self._af, socket.SOCK_STREAM)
        try:
            self._setup(sock)
            if self._family == 4:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, probe.ttl)
            else:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, probe.ttl)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
            sock.setsockopt(socket.IPPROTO_TCP, _TCP_SYNCNT, 1)
            if self._source_bind:
                sock.bind((self._source_bind, 0))
            tx_ns = time.time_ns()
            with contextlib.suppress(BlockingIOError):
                sock.connect((probe.target, probe.dport))
        except BaseException:
            sock.close()
            raise
        self._attempts[sock.fileno()] = _Attempt(sock, probe, tx_ns)
        self._poll.register(sock.fileno(), select.POLLOUT)
        return tx_ns

    def receive(self, timeout: float) -> Arrivals:
        ready = self._poll.poll(max(0, int(timeout * 1000 + 0.999)))
        out: list[Reply] = []
        for fd, _events in ready:
            if fd == self._wake_r:
                self._clear_wake()
            elif self._icmp is not None and fd == self._icmp.fileno():
                self._drain_errors(self._icmp, self._returned_echo, out)
                self._drain_echo_replies(self._icmp, out)
            elif fd == self._udp.fileno():
                self._drain_errors(self._udp, self._decoder.returned_udp, out)
                self._discard(self._udp)
            elif (attempt := self._attempts.get(fd)) is not None:
                self._settle(attempt, out)
        self._expire(time.time_ns())
        dropped, self._dropped = self._dropped, 0
        return Arrivals(out, dropped)

    # -- reading --------------------------------------------------------------------------------------
    def _returned_echo(self, returned: bytes, _port: int) -> ProbeId:
        return self._decoder.returned_echo(returned)

    def _drain_errors(
        self, sock: socket.socket, identify: Callable[[bytes, int], ProbeId], out: list[Reply]
    ) -> None:
        """Turn every ICMP error queued on ``sock`` into a ``Reply`` naming its probe; ``identify`` says which
        from the returned bytes and the destination port. What does not parse is counted and dropped; the
        local stack's own errors (no route, message too long) did not arrive from the network and are skipped.
        """
        for _ in range(_BATCH):
            try:
                data, ancdata, _flags, address = sock.recvmsg(_BUFFER, _CMSG_SPACE, errqueue.MSG_ERRQUEUE)
            except (BlockingIOError, InterruptedError):
                return
            try:
                info = errqueue.parse_ancillary(ancdata)
                error = info.error
                if error is None:
                    raise PacketError("an error-queue entry without its sock_extended_err")
                if not error.from_icmp or error.offender is None:
                    continue
                probe = identify(data, address[1] if address else 0)
            except PacketError:
                self._dropped += 1
                continue
            message = errqueue.icmp_error(self._family, error)
            out.append(Reply(error.offender, info.rx_ns or time.time_ns(), info.ttl, message, probe))

    def _drain_echo_replies(self, sock: socket.socket, out: list[Reply]) -> None:
        parse = parse_icmp4_message if self._family == 4 else parse_icmp6_message
        for _ in range(_BATCH):
            try:
                data, ancdata, _flags, address = sock.recvmsg(_BUFFER, _CMSG_SPACE)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue  # the pending error of an ICMP error, reported once; it is on the error queue
            try:
                info = errqueue.parse_ancillary(ancdata)
                message = parse(data)
            except PacketError:
                self._dropped += 1
                continue
            if isinstance(message, EchoReply) and address:
                responder = str(address[0]).split("%", 1)[0]
                out.append(Reply(responder, info.rx_ns or time.time_ns(), info.ttl, message))

    @staticmethod
    def _discard(sock: socket.socket) -> None:
        """Empty the normal queue of the UDP socket (a service that answered); raw mode never sees those."""
        for _ in range(_BATCH):
            try:
                sock.recv(_BUFFER)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                continue

    def _settle(self, attempt: _Attempt, out: list[Reply]) -> None:
        """A TCP probe's socket woke up: a router's error, the target's SYN-ACK, or its RST. The socket is
        the probe's own, so every reply from it names that probe."""
        sock, probe = attempt.sock, attempt.probe
        self._attempts.pop(sock.fileno(), None)
        with contextlib.suppress(KeyError, ValueError):
            self._poll.unregister(sock.fileno())
        named = ProbeId(probe.key, probe.setting.protocol, probe.dport)
        with sock:
            status = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)  # before the error queue clears it
            errors: list[Reply] = []
            self._drain_errors(sock, lambda _data, _port: named, errors)
            state, rtt_us, retransmitted = _tcp_info(sock)
        if retransmitted:
            return  # Karn: the answer may be to the kernel's retransmitted SYN, so the probe counts as lost
        if errors:
            out.append(errors[0])
            return
        if state == _TCP_ESTABLISHED:  # the target's SYN-ACK
            rx_ns = attempt.tx_ns + rtt_us * 1000 if rtt_us else time.time_ns()
        elif status == errno.ECONNREFUSED:  # the target's RST
            rx_ns = time.time_ns()
        else:
            return
        out.append(Reply(probe.target, rx_ns, None, None, named))

    def _expire(self, now_ns: int) -> None:
        overdue = [a for a in self._attempts.values() if now_ns - a.tx_ns > self._wait_ns]
        for attempt in overdue:
            self._attempts.pop(attempt.sock.fileno(), None)
            with contextlib.suppress(KeyError, ValueError):
                self._poll.unregister(attempt.sock.fileno())
            attempt.sock.close()

    def close(self) -> None:
        for attempt in list(self._attempts.values()):
            attempt.sock.close()
        self._attempts.clear()
        super().close()


def _tcp_info(sock: socket.socket) -> tuple[int, int, bool]:
    """(TCP state, the kernel's RTT of the SYN in µs, whether the SYN was retransmitted)."""
    try:
        raw = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO.size)
    except OSError:
        return 0, 0, False
    if len(raw) < _TCP_INFO.size:
        return 0, 0, False
    state, rtt_us, total_retrans = _TCP_INFO.unpack_from(raw)
    return state, rtt_us, total_retrans > 0
