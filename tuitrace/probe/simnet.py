"""A simulated network on a virtual clock: probes in, real reply bytes out.

Each probe walks the scenario's hops; the router where its TTL runs out answers time-exceeded quoting the
probe as a kernel would, a rejecting router answers destination-unreachable, the target answers in the
probe's own protocol. Replies are built with the same packet code and identity codec as real probes, and
``receive`` decodes them through the raw back-end's ``Inbox``, so the tests exercise decoding, matching and
statistics together. Deterministic for a given seed.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import random
import select
import time
import zlib

from tuitrace.config import Mode, Protocol, Setting
from tuitrace.packet.constants import ICMP_BY_FAMILY, IpProtocol
from tuitrace.packet.icmp import build_echo, build_icmp_error
from tuitrace.packet.ipv4 import build_ipv4
from tuitrace.packet.tcp import ACK, RST, SYN, build_tcp
from tuitrace.probe.flows import tcp_flow_port
from tuitrace.probe.identity import icmp_sequence, tcp_acknowledgement
from tuitrace.probe.inbox import Inbox
from tuitrace.probe.network import Arrivals, Layer, Received
from tuitrace.probe.scenario import Scenario, SimHop
from tuitrace.probe.types import LocalIdentity, Probe
from tuitrace.probe.wire import ECHO_PAYLOAD, ip_packet

START_NS = 1_000_000_000_000
_QUOTE_LIMIT = {4: 28, 6: 1232}
"""Old IPv4 routers quote the IP header + 8 bytes; ICMPv6 quotes as much as fits in the minimum MTU."""
_INITIAL_TTL = 64
_ICMP, _TCP = int(IpProtocol.ICMP), int(IpProtocol.TCP)


class SimNetwork:
    def __init__(
        self,
        scenario: Scenario,
        *,
        icmp_id: int = 0x5454,
        udp_port: int = 40001,
        tcp_port: int = 40002,
        tcp_ports: int = 1,
    ):
        self._scenario = scenario
        self._identity = LocalIdentity(
            icmp_id=icmp_id,
            udp_port=udp_port,
            tcp_port=tcp_port,
            source=scenario.source,
            tcp_seq_base=0x1000,
            tcp_ports=tcp_ports,
        )
        self._inbox = Inbox(self._identity, scenario.family)
        self._now = START_NS
        self._pending: list[tuple[int, int, Received]] = []
        """Replies on their way: (arrival time, order of sending, the packet)."""
        self._order = 0
        self._random = random.Random(scenario.seed)
        self.sent: list[tuple[int, Probe]] = []
        """Every probe with the virtual time it left."""

    # -- Network protocol -----------------------------------------------------------------------------
    @property
    def family(self) -> int:
        return self._scenario.family

    @property
    def mode(self) -> Mode:
        return Mode.SIMULATED

    @property
    def identity(self) -> LocalIdentity:
        return self._identity

    def now_ns(self) -> int:
        return self._now

    def prepare(self, setting: Setting) -> None:
        return None

    def wake(self) -> None:
        return None

    def close(self) -> None:
        return None

    def send(self, probe: Probe) -> int:
        self.sent.append((self._now, probe))
        reply = self._walk(probe)
        if reply is not None:
            delay_ms, packet = reply
            self._push(self._now + int(delay_ms * 1e6), packet)
        return self._now

    def receive(self, timeout: float) -> Arrivals:
        horizon = self._now + int(timeout * 1e9)
        if not self._pending or self._pending[0][0] > horizon:
            self._now = max(self._now, horizon)
            return Arrivals([])
        self._now = max(self._now, self._pending[0][0])
        add = self._inbox.add
        while self._pending and self._pending[0][0] <= self._now:
            at_ns, _, packet = heapq.heappop(self._pending)
            add(packet.data, packet.layer, at_ns, packet.source, packet.hop_limit)
        return self._inbox.take()

    # -- the simulated path ---------------------------------------------------------------------------
    def _push(self, at_ns: int, packet: Received) -> None:
        self._order += 1
        heapq.heappush(self._pending, (at_ns, self._order, packet))

    def _flow_index(self, probe: Probe, choices: int) -> int:
        """Per-flow ECMP: the same 5-tuple always takes the same branch."""
        ident = self._identity
        if probe.setting.protocol is Protocol.ICMP:  # a steered checksum (--flows) is a flow of its own
            flow = f"icmp/{ident.icmp_id}" + (f"/{probe.flow}" if probe.flow else "")
        else:
            tcp = probe.setting.protocol is Protocol.TCP
            sport = tcp_flow_port(ident.tcp_port, probe.flow) if tcp else ident.udp_port
            flow = f"{probe.setting.protocol}/{sport}/{probe.dport}"
        return zlib.crc32(flow.encode()) % choices

    def _delay(self, rtt_ms: float, jitter_ms: float) -> float:
        return max(0.001, rtt_ms + self._random.uniform(-jitter_ms, jitter_ms))

    def _hop_at(self, distance: int) -> SimHop | None:
        """The hop ``distance`` TTLs away; past the last one, ``None`` (the target) unless the path loops."""
        hops, loop_from = self._scenario.hops, self._scenario.loop_from
        if distance <= len(hops):
            return hops[distance - 1]
        if loop_from is None:
            return None
        cycle = len(hops) - loop_from + 1
        return hops[loop_from - 1 + (distance - loop_from) % cycle]

    def _walk(self, probe: Probe) -> tuple[float, Received] | None:
        distance = 0
        while (hop := self._hop_at(distance + 1)) is not None:
            distance += 1
            responders = hop.responders
            if hop.change_at_s is not None and self._now - START_NS >= hop.change_at_s * 1e9:
                responders = hop.changed_to
            responder = responders[self._flow_index(probe, len(responders))]
            back = distance + hop.return_extra_hops
            if probe.ttl == distance:
                if hop.silent or self._random.random() < hop.loss:
                    return None
                kind = ICMP_BY_FAMILY[probe.family].time_exceeded
                return self._delay(hop.rtt_ms, hop.jitter_ms), self._icmp_error(
                    probe, responder, back, kind, 0, extension=hop.mpls
                )
            if self._rejects(hop, probe):
                assert hop.reject is not None
                if hop.silent or self._random.random() < hop.loss:
                    return None
                kind = ICMP_BY_FAMILY[probe.family].dest_unreach
                return self._delay(hop.rtt_ms, hop.jitter_ms), self._icmp_error(
                    probe, responder, back, kind, hop.reject.code
                )
            if hop.tcp_reset_port is not None and probe.setting.protocol is Protocol.TCP \
                    and probe.dport == hop.tcp_reset_port:
                return self._delay(hop.rtt_ms, hop.jitter_ms), self._tcp_answer(probe, RST | ACK, back)
            if hop.drop and self._random.random() < hop.drop:
                return None
        return self._at_target(probe)

    @staticmethod
    def _rejects(hop: SimHop, probe: Probe) -> bool:
        rule = hop.reject
        if rule is None:
            return False
        if rule.protocol not in ("any", probe.setting.protocol.value):
            return False
        return rule.port is None or rule.port == probe.dport

    def _at_target(self, probe: Probe) -> tuple[float, Received] | None:
        target = self._scenario.destination
        if self._random.random() < target.loss:
            return None
        delay = self._delay(target.rtt_ms, target.jitter_ms)
        distance = len(self._scenario.hops) + 1 + target.return_extra_hops
        family, src, dst = probe.family, probe.target, self._identity.source
        protocol = probe.setting.protocol
        if protocol is Protocol.ICMP:
            if target.icmp != "reply":
                return None
            message = build_echo(
                v6=family == 6,
                ident=self._identity.icmp_id,
                seq=icmp_sequence(probe.key),
                payload=ECHO_PAYLOAD,
                reply=True,
                src=src,
                dst=dst,
            )
            return delay, self._wrap(message, src, distance, Layer.ICMP4_IP, Layer.ICMP6)
        if protocol is Protocol.UDP:
            if target.udp != "closed":
                return None
            icmp = ICMP_BY_FAMILY[family]
            return delay, self._icmp_error(probe, src, distance, icmp.dest_unreach, icmp.port_unreachable)
        if target.tcp == "silent":
            return None
        flags = SYN | ACK if target.tcp == "open" else RST | ACK
        return delay, self._tcp_answer(probe, flags, distance)

    def _tcp_answer(self, probe: Probe, flags: int, distance: int) -> Received:
        """A SYN-ACK or RST from the target's address, sent ``distance`` hops away (the target, or a
        middlebox that forges it)."""
        segment = build_tcp(
            probe.target,
            self._identity.source,
            probe.dport,
            tcp_flow_port(self._identity.tcp_port, probe.flow),
            seq=0x2000 if flags & SYN else 0,
            ack=tcp_acknowledgement(probe.key, self._identity),
            flags=flags,
        )
        return self._wrap(segment, probe.target, distance, Layer.TCP4_IP, Layer.TCP6, protocol=_TCP)

    def _icmp_error(self, probe: Probe, responder: str, distance: int, kind: int, code: int, *,
                    extension: bytes = b"") -> Received:
        quoted = ip_packet(probe, self._identity, ttl=1)[: _QUOTE_LIMIT[probe.family]]
        message = build_icmp_error(
            v6=probe.family == 6,
            type=kind,
            code=code,
            quoted=quoted,
            src=responder,
            dst=self._identity.source,
            extension=extension,
        )
        return self._wrap(message, responder, distance, Layer.ICMP4_IP, Layer.ICMP6)

    def _wrap(
        self, message: bytes, src: str, distance: int, v4: Layer, v6: Layer, *, protocol: int = _ICMP
    ) -> Received:
        hop_limit = max(1, _INITIAL_TTL - distance + 1)
        if self._scenario.family == 4:
            packet = build_ipv4(src, self._identity.source, protocol, message, ttl=hop_limit)
            return Received(packet, v4, 0)
        return Received(message, v6, 0, source=src, hop_limit=hop_limit)


class RealtimeSimNetwork(SimNetwork):
    """The simulated network on the wall clock, for ``--simulate``: a demo and a UI test bed without root.

    It waits and is woken through a pipe, as the socket back-ends are, not a ``threading.Event``: a report
    runs the engine in the main thread, where a stop signal raises ``Interrupted`` at any point, and one
    raised inside ``Event.wait`` can leave the event's lock held, so that the ``wake`` of the engine's
    ``stop`` then waits for ever."""

    def __init__(self, scenario: Scenario, *, tcp_ports: int = 1, source_port: int | None = None) -> None:
        if source_port is None:
            super().__init__(scenario, tcp_ports=tcp_ports)
        else:  # --sport: the simulated probes leave from it, as real ones would
            super().__init__(scenario, tcp_ports=tcp_ports, udp_port=source_port, tcp_port=source_port)
        self._offset = START_NS - time.monotonic_ns()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)

    def now_ns(self) -> int:
        return time.monotonic_ns() + self._offset

    def send(self, probe: Probe) -> int:
        self._now = self.now_ns()
        return super().send(probe)

    def receive(self, timeout: float) -> Arrivals:
        now = self.now_ns()
        due = self._pending[0][0] if self._pending else None
        wait_ns = int(timeout * 1e9) if due is None else min(int(timeout * 1e9), max(0, due - now))
        if wait_ns > 0 and self._wake_r >= 0 and select.select([self._wake_r], [], [], wait_ns / 1e9)[0]:
            with contextlib.suppress(BlockingIOError, OSError):
                os.read(self._wake_r, 4096)
        self._now = self.now_ns()
        return super().receive(0)

    def wake(self) -> None:
        if self._wake_w >= 0:
            with contextlib.suppress(BlockingIOError, OSError):
                os.write(self._wake_w, b"!")

    def close(self) -> None:
        wake_r, wake_w, self._wake_r, self._wake_w = self._wake_r, self._wake_w, -1, -1
        for fd in (wake_r, wake_w):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
