"""The fuzz harness: mutated and random packets through every packet parser and the engine's receive path.

Two promises are checked. Every parser in ``tuitrace.packet`` either returns or raises ``PacketError`` for
any bytes (nothing else escapes). And the engine, fed the packets as the network delivers them, never raises
and accounts for every packet: each one is either matched to a probe (``Engine.matched``; a matched answer
beyond the path's end is matched but produces no hop result) or counted in the snapshot's ``dropped`` -
exactly, ``matched + dropped == fed``.

The engine runs on the simulated network (virtual clock, no sleeping), whose own correct replies keep real
probes in flight and answered; around them the harness injects mutated seeds from the recorded file, mutated
fresh answers to the probe just sent (these pass the cheap prefilter and reach the quote matcher), unmutated
fresh answers (duplicates and races with the real reply) and random noise.

What this depends on in tuitrace (so that a change of the receive seam is a change here, in one place):
``Received(data, layer, rx_ns, source, hop_limit)`` and ``Layer`` (built only in :func:`deliver`),
``SimNetwork(scenario, icmp_id=, udp_port=, tcp_port=)`` with ``send``/``receive``/``sent`` and its
``_push`` (schedule a packet) and ``_inbox`` (where every delivered packet is decoded or counted dropped),
``Engine(config, network)`` with ``run``, ``matched`` and ``snapshot().dropped``.
"""

from __future__ import annotations

import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.fault.mutate import mutate, noise
from tests.fault.replies import IDENTITY_PORTS, PATHS, SETTINGS, FuzzPath, Seed, all_seeds, replies_to
from tuitrace.config import TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.packet import (
    PacketError,
    parse_icmp,
    parse_icmp4_message,
    parse_icmp6_message,
    parse_ipv4,
    parse_ipv6,
    parse_mpls_labels,
    parse_quote,
    parse_tcp,
    parse_tcp_segment,
    parse_udp,
)
from tuitrace.packet.ipv4 import ipv4_essentials
from tuitrace.packet.ipv6 import walk_extension_headers
from tuitrace.probe.inbox import Inbox
from tuitrace.probe.network import Layer, Received
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.types import Probe

FUZZ_PER_PROBE = 6
"""Fuzz packets injected around each probe sent (besides the simulated network's own reply)."""
CHUNK = 20_000
"""Packets per engine run: many short runs cover every family and way of probing, and fresh engines."""


class FuzzError(AssertionError):
    """A parser or the engine broke a promise; the message names the seed that reproduces it."""


def deliver(data: bytes, layer: Layer, source: str = "", hop_limit: int | None = None) -> Received:
    """The packet as a network back-end hands it to the engine (the one place that builds the seam's type)."""
    return Received(data, layer, 0, source, hop_limit)


# -- every parser ----------------------------------------------------------------------------------------
def _ihl(data: bytes) -> int:
    return (data[0] & 0x0F) * 4 if data else 0


def _next_header(icmp6: bytes) -> int:
    """The next-header field of the IPv6 header quoted in an ICMPv6 error (0 if the buffer is shorter)."""
    return icmp6[14] if len(icmp6) > 14 else 0


WHOLE: dict[str, Callable[[bytes], object]] = {
    "parse_ipv4": parse_ipv4,
    "ipv4_essentials": ipv4_essentials,
    "parse_ipv6": parse_ipv6,
    "parse_icmp": parse_icmp,
    "parse_tcp": parse_tcp,
    "parse_udp": parse_udp,
}
"""Parsers given the whole buffer, whatever it is."""

LAYERED: dict[Layer, dict[str, Callable[[bytes], object]]] = {
    Layer.ICMP4_IP: {
        "parse_icmp4_message": lambda data: parse_icmp4_message(data[_ihl(data) :]),
        "parse_mpls_labels(v4)": lambda data: parse_mpls_labels(data[_ihl(data) :], v6=False),
        "parse_quote(4)": lambda data: parse_quote(4, data[_ihl(data) + 8 :]),
        "parse_udp(quoted)": lambda data: parse_udp(data[_ihl(data) + 8 + _ihl(data[_ihl(data) + 8 :]) :]),
    },
    Layer.TCP4_IP: {"parse_tcp_segment": lambda data: parse_tcp_segment(data[_ihl(data) :])},
    Layer.ICMP6: {
        "parse_icmp6_message": parse_icmp6_message,
        "parse_mpls_labels(v6)": lambda data: parse_mpls_labels(data, v6=True),
        "parse_quote(6)": lambda data: parse_quote(6, data[8:]),
        "parse_ipv6(quoted)": lambda data: parse_ipv6(data[8:]),
        "walk_extension_headers": lambda data: walk_extension_headers(data[48:], _next_header(data)),
    },
    Layer.TCP6: {"parse_tcp_segment": parse_tcp_segment},
}
"""Parsers given the part of the buffer they are meant for, by where the buffer comes from (an ICMP body
after the IPv4 header, the quote after the ICMP header, the extension headers after a quoted IPv6 header)."""

PARSER_NAMES = sorted({*WHOLE, *(name for table in LAYERED.values() for name in table)})


@dataclass(slots=True)
class ParserTally:
    parsed: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def check(self, data: bytes, layer: Layer) -> None:
        for parsers in (WHOLE, LAYERED[layer]):
            for name, parser in parsers.items():
                try:
                    parser(data)
                except PacketError:
                    self.rejected[name] += 1
                except Exception as exc:  # the promise under test: nothing but PacketError escapes
                    failure = f"{name}({layer.value}:{data.hex()}) raised {type(exc).__name__}: {exc}"
                    self.failures.append(failure)
                else:
                    self.parsed[name] += 1


# -- the engine's receive path ---------------------------------------------------------------------------
def scenario_for(path: FuzzPath, seed: int) -> dict[str, object]:
    hops: list[dict[str, object]] = [{"responders": [router], "rtt_ms": 1.0 + n, "jitter_ms": 0.5}
                                     for n, router in enumerate(path.routers)]
    hops[1]["loss"] = 0.2
    return {"path": {"family": path.family, "source": path.source, "target": path.target, "seed": seed},
            "hop": hops, "target": {"rtt_ms": 9.0, "jitter_ms": 1.0, "tcp": "open"}}


class CountingInbox(Inbox):
    """The simulated network's inbox, telling ``seen`` of every packet it is handed before decoding it."""

    __slots__ = ("_seen",)

    def __init__(self, network: SimNetwork, family: int, seen: Callable[[bytes, Layer], None]) -> None:
        super().__init__(network.identity, family)
        self._seen = seen

    def add(self, data: bytes, layer: Layer, rx_ns: int, source: str = "",
            hop_limit: int | None = None) -> None:
        self._seen(data, layer)
        super().add(data, layer, rx_ns, source, hop_limit)


class FuzzNetwork(SimNetwork):
    """The simulated network, plus fuzz packets injected around every probe; counts what it delivers."""

    def __init__(self, path: FuzzPath, seeds: list[Seed], rng: random.Random, wait_ns: int,
                 tally: ParserTally | None) -> None:
        super().__init__(parse_scenario(scenario_for(path, rng.randrange(1 << 30)), "fuzz"), **IDENTITY_PORTS)
        self._path, self._seeds, self._rng, self._wait_ns = path, seeds, rng, wait_ns
        self._seed_bytes = [seed.data for seed in seeds]
        self._sources = ("", path.target, *path.routers, "::1" if path.family == 6 else "127.0.0.1")
        self._tally = tally
        self._inbox = CountingInbox(self, path.family, self._delivered)
        self.fed = 0
        self.kinds: Counter[str] = Counter()
        self.last_batch: deque[tuple[Layer, bytes]] = deque(maxlen=8)

    def send(self, probe: Probe) -> int:
        sent_at = super().send(probe)
        self.sent.clear()  # the simulated network's log of probes is a test aid; keep memory flat
        for _ in range(FUZZ_PER_PROBE):
            self._push(sent_at + self._rng.randrange(self._wait_ns), self._fuzz_packet(probe))
        return sent_at

    def _delivered(self, data: bytes, layer: Layer) -> None:
        self.fed += 1
        self.last_batch.append((layer, data))
        if self._tally is not None:
            self._tally.check(data, layer)

    def _fuzz_packet(self, probe: Probe) -> Received:
        rng, path = self._rng, self._path
        roll = rng.random()
        if roll < 0.08:
            self.kinds["noise"] += 1
            return deliver(noise(rng), rng.choice(path.layers), rng.choice(self._sources), rng.randrange(256))
        if roll < 0.45:
            seed = rng.choice(self._seeds)
            self.kinds["mutated seed"] += 1
            data = mutate(rng, seed.data, self._seed_bytes)
        else:
            seed = replies_to(path, probe, rng)
            if roll < 0.9:
                self.kinds["mutated answer"] += 1
                data = mutate(rng, seed.data, self._seed_bytes)
            else:
                self.kinds["answer"] += 1
                data = seed.data
        layer = seed.layer if rng.random() < 0.97 else rng.choice(path.layers)
        source = seed.source if rng.random() < 0.9 else rng.choice(self._sources)
        hop_limit = seed.hop_limit if rng.random() < 0.9 else rng.choice((None, 0, 1, 255))
        return deliver(data, layer, source, hop_limit)


@dataclass(slots=True)
class FuzzFigures:
    seed: int
    fed: int = 0
    matched: int = 0
    dropped: int = 0
    engines: int = 0
    seconds: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)
    parsers: ParserTally | None = None

    @property
    def rate(self) -> float:
        return self.fed / self.seconds if self.seconds else 0.0


def fuzz_engine(figures: FuzzFigures, path: FuzzPath, setting_index: int, budget: int, seeds: list[Seed],
                rng: random.Random) -> None:
    """One engine on the fuzzed network until about ``budget`` packets were delivered; checks the promises."""
    setting = SETTINGS[setting_index]
    config = TraceConfig(target=path.target, family=path.family, setting=setting, max_ttl=8, interval=0.05,
                         wait=0.5, count=max(1, budget // ((len(path.routers) + 1) * (FUZZ_PER_PROBE + 1))))
    network = FuzzNetwork(path, seeds, rng, int(config.wait * 1e9), figures.parsers)
    engine = Engine(config, network)
    where = f"seed {figures.seed}, engine {figures.engines} (IPv{path.family} {setting.label})"
    try:
        engine.run()
    except Exception as exc:
        batch = " ".join(f"{layer.value}:{data.hex()}" for layer, data in network.last_batch)
        message = f"{where}: the engine raised {type(exc).__name__}: {exc}; last batch {batch}"
        raise FuzzError(message) from exc
    dropped, matched = engine.snapshot().dropped, engine.matched
    if matched + dropped != network.fed:
        raise FuzzError(f"{where}: fed {network.fed} packets but matched {matched} + dropped {dropped} = "
                          f"{matched + dropped}")
    figures.fed += network.fed
    figures.matched += matched
    figures.dropped += dropped
    figures.engines += 1
    figures.kinds.update(network.kinds)


def fuzz(packets: int, seed: int, *, parsers: bool = True) -> FuzzFigures:
    """Feed at least ``packets`` packets, round robin over both families and the four ways of probing."""
    rng = random.Random(seed)
    seeds = all_seeds()
    figures = FuzzFigures(seed, parsers=ParserTally() if parsers else None)
    configs = [(family, index) for family in PATHS for index in range(len(SETTINGS))]
    chunk = min(CHUNK, max(500, packets // len(configs)))
    started = time.perf_counter()
    while figures.fed < packets:
        family, index = configs[figures.engines % len(configs)]
        fuzz_engine(figures, PATHS[family], index, min(chunk, packets - figures.fed), seeds[family], rng)
        if figures.parsers is not None and figures.parsers.failures:
            first = figures.parsers.failures[0]
            raise FuzzError(f"seed {seed}: {len(figures.parsers.failures)} parser failures; first: {first}")
    figures.seconds = time.perf_counter() - started
    return figures
