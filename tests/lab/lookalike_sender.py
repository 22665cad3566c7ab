"""A foreign raw-socket tool for the concurrency lab test: ICMP errors that look like answers to probes.

Run in the lab's src namespace (root) while tracers probe the target. It watches the probes leaving src
(an ``AF_PACKET`` socket sees outgoing packets) and sends, to src's own address and from a spoofed
responder address that is on no path, packets that a careless tracer would count:

* ``made-up``: time-exceeded / port-unreachable quoting probes of made-up identities (random ICMP ids, UDP and
  TCP source ports; classic-traceroute destination ports);
* ``far-key``: errors quoting a real tracer's identity (its ICMP id, UDP or TCP source port, seen on the
  wire) with a sequence, checksum or TCP sequence far from any probe sent;
* ``wrong-dst`` / ``wrong-src``: errors quoting a real probe seen a moment ago with the quoted destination
  (or source) changed - with ``--silent-ttl``, a probe to the silent hop, still in flight;
* ``echo-reply``: echo replies with a real ICMP id and sequence (of a probe in flight, with
  ``--silent-ttl``) from the spoofed address, not the target.

None of these answers a probe: every tracer must drop them (the spoofed address must never show as a hop).
Prints one JSON object at the end: how many of each kind were sent, how many ICMP messages in all (each
one reaches every raw ICMP socket in the namespace) and the identities seen.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import struct
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass

from tuitrace.packet.icmp import build_echo, build_icmp_error
from tuitrace.packet.ipv4 import build_ipv4
from tuitrace.packet.ipv6 import build_ipv6
from tuitrace.packet.tcp import build_tcp
from tuitrace.packet.udp import build_udp

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
_PROTO_ICMP = {4: 1, 6: 58}


@dataclass(frozen=True, slots=True)
class SeenProbe:
    """A probe to the target seen leaving src: its whole IP packet, and where its transport header starts."""

    packet: bytes
    protocol: int
    transport: int

    @property
    def ttl(self) -> int:
        return self.packet[8] if self.packet[0] >> 4 == 4 else self.packet[7]

    @property
    def identity(self) -> tuple[int, int]:
        """(protocol, ICMP id or source port)."""
        start = self.transport
        field = 4 if self.protocol in (1, 58) else 0
        return self.protocol, struct.unpack_from("!H", self.packet, start + field)[0]


def _seen(data: bytes, family: int, target: bytes) -> SeenProbe | None:
    if family == 4:
        if len(data) < 28 or data[0] >> 4 != 4 or data[16:20] != target:
            return None
        return SeenProbe(bytes(data), data[9], (data[0] & 0x0F) * 4)
    if len(data) < 48 or data[0] >> 4 != 6 or data[24:40] != target:
        return None
    return SeenProbe(bytes(data), data[6], 40)


class Forger:
    def __init__(self, family: int, local: str, target: str, spoofed: str, rng: random.Random,
                 silent_ttl: int | None = None) -> None:
        self.family, self.local, self.target, self.spoofed, self.rng = family, local, target, spoofed, rng
        self.silent_ttl = silent_ttl
        self.icmp = _PROTO_ICMP[family]
        self.sent: Counter[str] = Counter()

    # -- quotes --------------------------------------------------------------------------------------
    def ip_packet(self, src: str, dst: str, protocol: int, payload: bytes) -> bytes:
        if self.family == 4:
            return build_ipv4(src, dst, protocol, payload, ttl=1)
        return build_ipv6(src, dst, protocol, payload, hop_limit=1)

    def made_up_quote(self) -> bytes:
        rng = self.rng
        kind = rng.choice(("icmp", "udp", "tcp"))
        if kind == "icmp":
            ident, seq = rng.randrange(1, 0xFFFF), rng.randrange(1 << 16)
            segment = build_echo(v6=self.family == 6, ident=ident, seq=seq, payload=b"tuitrace")
            return self.ip_packet(self.local, self.target, self.icmp, segment)
        sport = rng.randrange(32768, 61000)
        if kind == "udp":
            segment = build_udp(self.local, self.target, sport, 33434 + rng.randrange(100), b"\x00\x00")
            return self.ip_packet(self.local, self.target, 17, segment)
        segment = build_tcp(self.local, self.target, sport, 80, seq=rng.randrange(1 << 32))
        return self.ip_packet(self.local, self.target, 6, segment)

    def far_key_quote(self, probe: SeenProbe) -> bytes:
        """The real identity, a key no probe carries: ICMP seq / UDP checksum / TCP seq pushed far away."""
        packet = bytearray(probe.packet)
        start = probe.transport
        if probe.protocol in (self.icmp, 17):
            offset, size = start + 6, 2
        else:
            offset, size = start + 4, 4
        value = int.from_bytes(packet[offset : offset + size], "big")
        far = (value + 30_000 + self.rng.randrange(5_000)) % (1 << (8 * size))
        packet[offset : offset + size] = far.to_bytes(size, "big")
        return bytes(packet)

    def changed_address_quote(self, probe: SeenProbe, which: str) -> bytes:
        packet = bytearray(probe.packet)
        if self.family == 4:
            at = 16 if which == "dst" else 12
            packet[at : at + 4] = socket.inet_pton(socket.AF_INET, self.spoofed)
        else:
            at = 24 if which == "dst" else 8
            packet[at : at + 16] = socket.inet_pton(socket.AF_INET6, self.spoofed)
        return bytes(packet)

    # -- messages ------------------------------------------------------------------------------------
    def error(self, quote: bytes) -> bytes:
        v6 = self.family == 6
        kind, code = self.rng.choice(((11, 0), (3, 3)) if not v6 else ((3, 0), (1, 4)))
        return build_icmp_error(v6=v6, type=kind, code=code, quoted=quote[: 28 if not v6 else 1232],
                                src=self.spoofed, dst=self.local)

    def echo_reply(self, probe: SeenProbe) -> bytes:
        ident, seq = struct.unpack_from("!HH", probe.packet, probe.transport + 4)
        return build_echo(v6=self.family == 6, ident=ident, seq=seq, payload=b"tuitrace", reply=True,
                          src=self.spoofed, dst=self.local)

    def _pick(self, recent: deque[SeenProbe]) -> SeenProbe:
        """Preferably the latest probe to the silent hop: it waits in flight for the tracer's whole timeout,
        so a quote of it is what a careless matcher would take for its answer."""
        waiting = [probe for probe in recent if probe.ttl == self.silent_ttl]
        return waiting[-1] if waiting else self.rng.choice(recent)

    def next_message(self, probes: dict[tuple[int, int], deque[SeenProbe]]) -> tuple[str, bytes]:
        """A look-alike of a random kind; real probes are picked per identity, so that a flood of pings
        does not crowd out the tracers' own probes."""
        rng = self.rng
        kind = rng.choice(("made-up", "far-key", "wrong-dst", "wrong-src", "echo-reply"))
        if kind == "made-up":
            return kind, self.error(self.made_up_quote())
        if kind == "echo-reply":
            icmp = [identity for identity in probes if identity[0] == self.icmp]
            return kind, self.echo_reply(self._pick(probes[rng.choice(icmp)]))
        probe = self._pick(probes[rng.choice(list(probes))])
        if kind == "far-key":
            return kind, self.error(self.far_key_quote(probe))
        return kind, self.error(self.changed_address_quote(probe, kind.removeprefix("wrong-")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", type=int, choices=(4, 6), required=True)
    parser.add_argument("--local", required=True, help="src's address: where the look-alikes go")
    parser.add_argument("--target", required=True, help="the address the tracers probe")
    parser.add_argument("--spoofed", required=True, help="the responder address to forge (on no path)")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=2.0, help="seconds to spread the look-alikes over")
    parser.add_argument("--wait-for", type=int, default=4, help="distinct probe identities to see first")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--silent-ttl", type=int, default=None,
                        help="the TTL whose router does not answer: quote its probes (they stay in flight)")
    args = parser.parse_args()
    family = args.family
    af = socket.AF_INET if family == 4 else socket.AF_INET6
    target = socket.inet_pton(af, args.target)
    sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
    sniffer.setblocking(False)
    if family == 4:
        sender = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)  # IP header included
    else:
        sender = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)  # implies IPV6_HDRINCL
    forger = Forger(family, args.local, args.target, args.spoofed, random.Random(args.seed), args.silent_ttl)
    probes: dict[tuple[int, int], deque[SeenProbe]] = {}

    def sniff() -> None:
        while True:
            try:
                data, address = sniffer.recvfrom(65535)
            except BlockingIOError:
                return
            seen = _seen(data, family, target) if address[2] == PACKET_OUTGOING else None
            if seen is not None and seen.protocol in (forger.icmp, 6, 17):
                probes.setdefault(seen.identity, deque(maxlen=40)).append(seen)

    give_up = time.monotonic() + 30
    while len(probes) < args.wait_for and time.monotonic() < give_up:
        sniff()
        time.sleep(0.01)
    if len(probes) < args.wait_for or not any(protocol == forger.icmp for protocol, _ in probes):
        print(f"lookalike_sender: saw only {sorted(probes)}", file=sys.stderr)
        return 1
    started = time.monotonic()
    icmp_messages = 0
    for number in range(args.count):
        sniff()
        kind, message = forger.next_message(probes)
        packet = forger.ip_packet(args.spoofed, args.local, forger.icmp, message)
        sender.sendto(packet, (args.local, 0))
        forger.sent[kind] += 1
        icmp_messages += 1
        pause = started + args.duration * (number + 1) / args.count - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    print(json.dumps({"sent": dict(forger.sent), "icmp_messages": icmp_messages,
                      "identities": sorted(probes)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
