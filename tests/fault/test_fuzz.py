"""Fuzz sample for every run: 10^4 mutated and random packets through every parser and the receive path.

The full 10^6 run is ``python -m bench.fuzz`` (or ``pytest -m long tests/fault``). A failure names the
seed; ``python -m bench.fuzz --seed N --packets M`` reproduces it.
"""

from __future__ import annotations

import os

import pytest

from tests.fault.fuzzing import PARSER_NAMES, FuzzFigures, fuzz
from tests.fault.replies import CAPTURED_FILE, PATHS, SEEDS_FILE, format_seed, load_seeds, seeds
from tuitrace.probe.network import Layer

SAMPLE = 10_000
SEED = int(os.environ.get("TUITRACE_FUZZ_SEED", "20261201"))


def check(figures: FuzzFigures, packets: int) -> None:
    seed = f"seed {figures.seed}"
    assert figures.fed >= packets, seed
    assert figures.matched + figures.dropped == figures.fed, seed
    assert figures.parsers is not None and figures.parsers.failures == [], seed
    # The run reached deep: real answers were matched, and every parser both accepted and rejected input.
    assert figures.matched > figures.fed // 10, seed
    for name in PARSER_NAMES:
        assert figures.parsers.parsed[name] > 0, f"{seed}: {name} never parsed anything (too shallow)"
        assert figures.parsers.rejected[name] > 0, f"{seed}: {name} never rejected anything"


def test_recorded_seeds_are_what_the_builders_make() -> None:
    recorded = load_seeds()
    for family, path in PATHS.items():
        assert [format_seed(s) for s in recorded[family]] == [format_seed(s) for s in seeds(path)], (
            f"{SEEDS_FILE} is stale: run python -m tests.fault.replies")


def test_recorded_seeds_cover_every_reply_kind() -> None:
    recorded = load_seeds()
    kinds = {family: {seed.kind.split("/")[0] for seed in recorded[family]} for family in recorded}
    common = {"time-exceeded", "time-exceeded+mpls", "time-exceeded+mpls-legacy", "unreachable-3+mpls",
              "parameter-problem", "echo-reply", "tcp-syn-ack", "tcp-syn-ack+mss", "tcp-rst-ack", "tcp-rst",
              "echo-request"}
    v4_only = {"time-exceeded-28", "redirect"}
    v6_only = {"packet-too-big", "router-advertisement"}
    assert common | v4_only | {f"unreachable-{code}" for code in range(16)} <= kinds[4]
    assert common | v6_only | {f"unreachable-{code}" for code in range(9)} <= kinds[6]
    layers = {seed.layer for family in recorded.values() for seed in family}
    assert layers == set(Layer)


def test_captured_seeds_hold_real_answers_of_every_kind() -> None:
    """What the lab's kernels sent: (family, ICMP type, code) or (family, "tcp", flags)."""
    seen: set[tuple[int, int | str, int]] = set()
    for family, recorded in load_seeds(CAPTURED_FILE).items():
        for seed in recorded:
            data = seed.data
            if seed.layer is Layer.ICMP4_IP:
                start = (data[0] & 0x0F) * 4
                seen.add((family, data[start], data[start + 1]))
            elif seed.layer is Layer.ICMP6:
                seen.add((family, data[0], data[1]))
            else:
                start = (data[0] & 0x0F) * 4 if seed.layer is Layer.TCP4_IP else 0
                seen.add((family, "tcp", data[start + 13]))
    v4 = {(4, 11, 0), (4, 3, 3), (4, 3, 0), (4, 3, 1), (4, 3, 13), (4, 0, 0), (4, "tcp", 0x12),
          (4, "tcp", 0x14)}
    v6 = {(6, 3, 0), (6, 1, 4), (6, 1, 0), (6, 1, 3), (6, 129, 0), (6, "tcp", 0x12), (6, "tcp", 0x14)}
    assert v4 | v6 <= seen


def test_fuzz_sample_parsers_never_raise_and_every_packet_is_matched_or_dropped() -> None:
    figures = fuzz(SAMPLE, SEED)
    print(f"fuzz seed {SEED}: {figures.fed} packets, {figures.matched} matched, {figures.dropped} dropped")
    check(figures, SAMPLE)


@pytest.mark.long
def test_fuzz_a_million_packets() -> None:
    packets = 1_000_000
    figures = fuzz(packets, SEED + 1)
    check(figures, packets)
