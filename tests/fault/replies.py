"""Every kind of packet a tracer receives, built with tuitrace's own packet code for a known path.

The fuzzer mutates real reply shapes rather than only random bytes, because random bytes almost never get
past the first length check: a mutated time-exceeded that still quotes one of our probes reaches the quote
parser, the RFC 4884/4950 extension walker and the matcher. The kinds cover what routers and targets send:
ICMP/ICMPv6 time-exceeded, destination-unreachable with every code, packet-too-big and fragmentation-needed,
parameter problem, echo reply, TCP SYN-ACK and RST, errors with and without an MPLS extension (RFC 4884
length attribute, and the older layout that appends it after 128 bytes without saying so), quotes with IPv4
options or IPv6 extension headers, and packets that answer no probe (echo requests, redirects, router
advertisements).

``python -m tests.fault.replies`` rewrites the recorded seed file ``tests/fault/data/seeds.txt``; the tests
read that file, so the seeds are data, and a change in the builders shows as a diff of it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tuitrace.config import UDP_BASE_PORT, Protocol, Setting
from tuitrace.packet.extensions import MplsLabel, build_mpls_extension
from tuitrace.packet.icmp import build_echo, build_icmp_error
from tuitrace.packet.ipv4 import build_ipv4
from tuitrace.packet.ipv6 import build_ipv6, fragment_header, options_header
from tuitrace.packet.tcp import ACK, RST, SYN, build_tcp, mss_option
from tuitrace.probe.identity import tcp_acknowledgement
from tuitrace.probe.network import Layer
from tuitrace.probe.types import LocalIdentity, Probe
from tuitrace.probe.wire import ip_packet, transport_segment

SEEDS_FILE = Path(__file__).parent / "data" / "seeds.txt"
CAPTURED_FILE = Path(__file__).parent / "data" / "captured.txt"
"""Real kernel answers recorded in the namespace lab (``python -m tests.fault.capture``)."""

IDENTITY_PORTS = {"icmp_id": 0x5454, "udp_port": 40001, "tcp_port": 40002}
"""The identity the fuzzed engines run with (the simulated network's keyword arguments)."""
TCP_SEQ_BASE = 0x1000
"""The simulated network's TCP sequence base."""


@dataclass(frozen=True, slots=True)
class FuzzPath:
    family: int
    source: str
    target: str
    routers: tuple[str, ...]

    @property
    def identity(self) -> LocalIdentity:
        return LocalIdentity(source=self.source, tcp_seq_base=TCP_SEQ_BASE, **IDENTITY_PORTS)

    @property
    def layers(self) -> tuple[Layer, Layer]:
        """(ICMP layer, TCP layer) as this family's raw sockets deliver them."""
        return (Layer.ICMP4_IP, Layer.TCP4_IP) if self.family == 4 else (Layer.ICMP6, Layer.TCP6)


PATHS = {
    4: FuzzPath(4, "192.0.2.1", "198.51.100.9", ("192.0.2.254", "203.0.113.1", "203.0.113.5", "203.0.113.9")),
    6: FuzzPath(6, "2001:db8::1", "2001:db8:ff::9", ("2001:db8::fe", "2001:db8:1::1", "2001:db8:2::1",
                                                    "2001:db8:3::1")),
}

SETTINGS = (
    Setting(Protocol.ICMP, None),
    Setting(Protocol.UDP, None),
    Setting(Protocol.UDP, 53),
    Setting(Protocol.TCP, 80),
)
"""ICMP, classic UDP (33434 + n), fixed UDP and TCP: the four ways of probing."""

V4_UNREACH_CODES = range(16)
V6_UNREACH_CODES = range(9)
_MPLS = (MplsLabel(24001, 0, False, 1), MplsLabel(16, 5, True, 1))


@dataclass(frozen=True, slots=True)
class Seed:
    """One received packet as the network hands it over: bytes, what they start with, and the metadata
    IPv6 raw sockets give separately (source address, hop limit)."""

    kind: str
    layer: Layer
    data: bytes
    source: str = ""
    hop_limit: int | None = None


def probe_for(path: FuzzPath, setting: Setting, key: int, ttl: int) -> Probe:
    dport = 0 if setting.protocol is Protocol.ICMP else setting.port or UDP_BASE_PORT + key % 100
    return Probe(key, ttl, setting, key // 30, path.target, path.family, dport)


def _wrap(path: FuzzPath, kind: str, message: bytes, src: str, *, tcp: bool = False,
          options: bytes = b"") -> Seed:
    icmp_layer, tcp_layer = path.layers
    layer = tcp_layer if tcp else icmp_layer
    if path.family == 4:
        packet = build_ipv4(src, path.source, 6 if tcp else 1, message, ttl=60, options=options)
        return Seed(kind, layer, packet)
    return Seed(kind, layer, message, src, 60)


def icmp_error(path: FuzzPath, probe: Probe, kind: str, src: str, icmp_type: int, code: int, *,
               mtu: int = 0, quote_limit: int | None = None, extension: bytes = b"",
               quoted: bytes | None = None) -> Seed:
    original = quoted if quoted is not None else ip_packet(probe, path.identity, ttl=1)
    if quote_limit is not None:
        original = original[:quote_limit]
    message = build_icmp_error(v6=path.family == 6, type=icmp_type, code=code, quoted=original, mtu=mtu,
                               src=src, dst=path.source, extension=extension)
    return _wrap(path, kind, message, src)


def _legacy_extension(path: FuzzPath, probe: Probe, src: str, icmp_type: int, name: str) -> Seed:
    """An extension after exactly 128 bytes of quote with the length attribute left at 0 (pre-RFC 4884)."""
    original = ip_packet(probe, path.identity, ttl=1)[:128]
    padded = original + bytes(128 - len(original))
    message = build_icmp_error(v6=path.family == 6, type=icmp_type, code=0,
                               quoted=padded + build_mpls_extension(_MPLS), src=src, dst=path.source)
    return _wrap(path, f"time-exceeded+mpls-legacy/{name}", message, src)


def echo_reply(path: FuzzPath, probe: Probe) -> Seed:
    message = build_echo(v6=path.family == 6, ident=path.identity.icmp_id, seq=probe.key, payload=b"tuitrace",
                         reply=True, src=path.target, dst=path.source)
    return _wrap(path, "echo-reply", message, path.target)


def tcp_answer(path: FuzzPath, probe: Probe, flags: int, kind: str, options: bytes = b"") -> Seed:
    identity = path.identity
    ack = tcp_acknowledgement(probe.key, identity)
    segment = build_tcp(path.target, path.source, probe.dport, identity.tcp_port,
                        seq=0x2000 if flags & SYN else 0, ack=ack, flags=flags, options=options)
    return _wrap(path, kind, segment, path.target, tcp=True)


def replies_to(path: FuzzPath, probe: Probe, rng: random.Random) -> Seed:
    """One plausible answer to ``probe`` (any kind a router or the target might send), for fuzzing."""
    return rng.choice(_MAKERS)(path, probe, rng)


def _time_exceeded(path: FuzzPath, probe: Probe, rng: random.Random) -> Seed:
    limit = rng.choice((None, 28, 48, 64))
    kind = 11 if path.family == 4 else 3
    return icmp_error(path, probe, "time-exceeded", rng.choice(path.routers), kind, 0,
                      quote_limit=limit if path.family == 4 else None)


def _time_exceeded_mpls(path: FuzzPath, probe: Probe, rng: random.Random) -> Seed:
    return icmp_error(path, probe, "time-exceeded+mpls", rng.choice(path.routers),
                      11 if path.family == 4 else 3, 0, extension=build_mpls_extension(_MPLS))


def _unreachable(path: FuzzPath, probe: Probe, rng: random.Random) -> Seed:
    codes = V4_UNREACH_CODES if path.family == 4 else V6_UNREACH_CODES
    code = rng.choice(codes)
    src = rng.choice((path.target, *path.routers))
    return icmp_error(path, probe, f"unreachable-{code}", src, 3 if path.family == 4 else 1, code,
                      mtu=1400 if path.family == 4 and code == 4 else 0)


def _echo(path: FuzzPath, probe: Probe, rng: random.Random) -> Seed:
    return echo_reply(path, probe)


def _tcp(path: FuzzPath, probe: Probe, rng: random.Random) -> Seed:
    flags, kind = rng.choice(((SYN | ACK, "tcp-syn-ack"), (RST | ACK, "tcp-rst"), (RST, "tcp-rst-only")))
    return tcp_answer(path, probe, flags, kind)


_MAKERS: tuple[Callable[[FuzzPath, Probe, random.Random], Seed], ...] = (
    _time_exceeded, _time_exceeded_mpls, _unreachable, _echo, _tcp,
)


def seeds(path: FuzzPath) -> Iterator[Seed]:
    """The recorded seeds for one family: every kind, for every way of probing."""
    v4 = path.family == 4
    router = path.routers[1]
    time_exceeded, unreach = (11, 3) if v4 else (3, 1)
    for setting in SETTINGS:
        probe = probe_for(path, setting, 7, 2)
        name = setting.label.replace(" ", "").lower()
        yield icmp_error(path, probe, f"time-exceeded/{name}", router, time_exceeded, 0)
        if v4:
            yield icmp_error(path, probe, f"time-exceeded-28/{name}", router, time_exceeded, 0,
                             quote_limit=28)
        yield icmp_error(path, probe, f"time-exceeded+mpls/{name}", router, time_exceeded, 0,
                         extension=build_mpls_extension(_MPLS))
        yield _legacy_extension(path, probe, router, time_exceeded, name)
        for code in V4_UNREACH_CODES if v4 else V6_UNREACH_CODES:
            yield icmp_error(path, probe, f"unreachable-{code}/{name}", path.routers[-1], unreach, code,
                             mtu=1400 if v4 and code == 4 else 0)
        yield icmp_error(path, probe, f"unreachable-3+mpls/{name}", path.target, unreach, 3 if v4 else 4,
                         extension=build_mpls_extension(_MPLS[:1]))
        yield icmp_error(path, probe, f"parameter-problem/{name}", router, 12 if v4 else 4, 0)
        if not v4:
            yield icmp_error(path, probe, f"packet-too-big/{name}", router, 2, 0, mtu=1280)
        if setting.protocol is Protocol.ICMP:
            yield echo_reply(path, probe)
        if setting.protocol is Protocol.TCP:
            yield tcp_answer(path, probe, SYN | ACK, "tcp-syn-ack")
            yield tcp_answer(path, probe, SYN | ACK, "tcp-syn-ack+mss", mss_option(1460))
            yield tcp_answer(path, probe, RST | ACK, "tcp-rst-ack")
            yield tcp_answer(path, probe, RST, "tcp-rst")
    yield from _odd_shapes(path)


def _odd_shapes(path: FuzzPath) -> Iterator[Seed]:
    """Valid packets of unusual shape, and packets that answer no probe at all."""
    identity = path.identity
    udp = probe_for(path, SETTINGS[2], 9, 3)
    if path.family == 4:
        quoted = build_ipv4(identity.source, path.target, 17, transport_segment(udp, identity), ttl=1,
                            options=b"\x01\x01\x01\x00")  # NOP NOP NOP EOL
        yield icmp_error(path, udp, "time-exceeded/quoted-ip-options", path.routers[0], 11, 0, quoted=quoted)
        message = build_icmp_error(v6=False, type=11, code=0, quoted=ip_packet(udp, identity, ttl=1),
                                   src=path.routers[0], dst=path.source)
        yield _wrap(path, "time-exceeded/outer-ip-options", message, path.routers[0], options=b"\x01" * 8)
        yield _wrap(path, "echo-request", build_echo(v6=False, ident=identity.icmp_id, seq=3), path.target)
        redirect = build_icmp_error(v6=False, type=5, code=1, quoted=ip_packet(udp, identity, ttl=1))
        yield _wrap(path, "redirect", redirect, path.routers[0])
        return
    for name, extension in (("hop-by-hop", options_header(17)), ("fragment", fragment_header(17))):
        segment = transport_segment(udp, identity)
        first = 0 if name == "hop-by-hop" else 44
        quoted = build_ipv6(identity.source, path.target, first, extension + segment, hop_limit=1)
        yield icmp_error(path, udp, f"time-exceeded/quoted-{name}", path.routers[0], 3, 0, quoted=quoted)
    yield _wrap(path, "echo-request", build_echo(v6=True, ident=identity.icmp_id, seq=3, src=path.target,
                                                 dst=path.source), path.target)
    yield _wrap(path, "router-advertisement", bytes((134, 0, 0, 0, 64, 0, 7, 8)) + bytes(8), path.routers[0])


# -- the recorded file -----------------------------------------------------------------------------------
def format_seed(seed: Seed) -> str:
    hop_limit = "-" if seed.hop_limit is None else str(seed.hop_limit)
    return f"{seed.kind} {seed.layer.value} {seed.source or '-'} {hop_limit} {seed.data.hex()}"


def parse_seed(line: str) -> Seed:
    kind, layer, source, hop_limit, data = line.split()
    return Seed(kind, Layer(layer), bytes.fromhex(data), "" if source == "-" else source,
                None if hop_limit == "-" else int(hop_limit))


def load_seeds(file: Path = SEEDS_FILE) -> dict[int, list[Seed]]:
    """The recorded seeds per family (from the ``# family N`` sections of the file)."""
    out: dict[int, list[Seed]] = {4: [], 6: []}
    family = 4
    for line in file.read_text(encoding="ascii").splitlines():
        if line.startswith("# family "):
            family = int(line.split()[2].rstrip(":"))
        elif line and not line.startswith("#"):
            out[family].append(parse_seed(line))
    return out


def all_seeds() -> dict[int, list[Seed]]:
    """The built seeds and the captured ones, per family."""
    built, captured = load_seeds(SEEDS_FILE), load_seeds(CAPTURED_FILE)
    return {family: built[family] + captured[family] for family in built}


def write_seeds(file: Path = SEEDS_FILE) -> None:
    lines = ["# Seed packets for the fuzzer: kind layer source hop-limit hex (python -m tests.fault.replies)"]
    for family, path in PATHS.items():
        lines.append(f"# family {family}: {path.source} -> {path.target}, identity {IDENTITY_PORTS}")
        lines.extend(format_seed(seed) for seed in seeds(path))
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("\n".join(lines) + "\n", encoding="ascii")


if __name__ == "__main__":
    write_seeds()
