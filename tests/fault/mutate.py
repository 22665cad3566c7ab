"""Seeded mutations of packets: what a broken router, a bit error or a hostile sender could deliver.

Each mutation is small and aimed where parsers make decisions: header length nibbles, total and payload
lengths, ICMP type and code, the RFC 4884 length attribute, IPv6 next-header values, extension object
lengths, plus plain bit flips, truncation, extension, insertion, deletion and splicing of two packets. One
``random.Random`` drives everything, so a seed reproduces a run exactly.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

INTERESTING_BYTES = (0x00, 0x01, 0x04, 0x05, 0x06, 0x0F, 0x11, 0x2C, 0x3A, 0x40, 0x45, 0x4F, 0x60, 0x7F, 0x80,
                     0xFE, 0xFF)
"""Zero, one, IPv4 version/IHL values, protocol numbers (TCP, UDP, fragment, ICMPv6), sign boundaries."""
INTERESTING_WORDS = (0x0000, 0x0001, 0x0007, 0x0008, 0x001C, 0x0080, 0x00FF, 0x0100, 0x7FFF, 0x8000, 0xFFFE,
                     0xFFFF)
DECISION_OFFSETS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 37, 38, 40,
                    44, 46, 48, 49, 54, 56, 136, 137, 138, 139, 140, 141, 142, 143, 156, 157, 160, 161)
"""Where length, type, protocol and extension fields sit in the seed shapes (outer IPv4 header, ICMP
header, quoted IPv4/IPv6 header, quoted transport header, RFC 4884 extension header and object)."""

Mutation = Callable[[random.Random, bytearray, Sequence[bytes]], bytearray]


def _offset(rng: random.Random, data: bytearray) -> int:
    if rng.random() < 0.5:
        inside = [o for o in DECISION_OFFSETS if o < len(data)]
        if inside:
            return rng.choice(inside)
    return rng.randrange(len(data))


def flip_bits(rng: random.Random, data: bytearray, _others: Sequence[bytes]) -> bytearray:
    for _ in range(rng.randint(1, 8)):
        if data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return data


def set_byte(rng: random.Random, data: bytearray, _others: Sequence[bytes]) -> bytearray:
    if data:
        value = rng.choice(INTERESTING_BYTES) if rng.random() < 0.6 else rng.randrange(256)
        data[_offset(rng, data)] = value
    return data


def set_word(rng: random.Random, data: bytearray, _others: Sequence[bytes]) -> bytearray:
    if len(data) >= 2:
        at = min(_offset(rng, data), len(data) - 2)
        word = rng.choice(INTERESTING_WORDS) if rng.random() < 0.7 else rng.randrange(1 << 16)
        if rng.random() < 0.3:  # a length off by a little from the real one
            word = max(0, min(0xFFFF, len(data) - at + rng.randint(-9, 9)))
        data[at : at + 2] = word.to_bytes(2, "big")
    return data


def set_nibble(rng: random.Random, data: bytearray, _others: Sequence[bytes]) -> bytearray:
    """A version / header-length nibble (IPv4 IHL, IPv6 version, TCP data offset, extension version)."""
    if data:
        at = _offset(rng, data)
        nibble = rng.randrange(16)
        data[at] = (data[at] & 0xF0) | nibble if rng.random() < 0.5 else (nibble << 4) | (data[at] & 0x0F)
    return data


def truncate(rng: random.Random, data: bytearray, _others: Sequence[bytes]) -> bytearray:
    return data[: rng.randrange(len(data) + 1)]


def extend(rng: random.Random, data: bytearray, _others: Sequence[bytes]) -> bytearray:
    size = rng.randint(1, 64) if rng.random() < 0.9 else rng.randint(64, 1500)
    return data + rng.randbytes(size)


def insert(rng: random.Random, data: bytearray, _others: Sequence[bytes]) -> bytearray:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.randint(1, 16)) + data[at:]


def delete(rng: random.Random, data: bytearray, _others: Sequence[bytes]) -> bytearray:
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.randint(1, 16) :]


def splice(rng: random.Random, data: bytearray, others: Sequence[bytes]) -> bytearray:
    """The head of this packet and the tail of another (a quote from one packet inside another's error)."""
    other = rng.choice(others)
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1) :]


MUTATIONS: tuple[Mutation, ...] = (flip_bits, set_byte, set_byte, set_word, set_word, set_nibble, truncate,
                                   extend, insert, delete, splice)


def mutate(rng: random.Random, data: bytes, others: Sequence[bytes]) -> bytes:
    """One to four mutations of ``data``; ``others`` are packets to splice from."""
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4))):
        out = rng.choice(MUTATIONS)(rng, out, others)
    return bytes(out)


def noise(rng: random.Random) -> bytes:
    """Random bytes of a random length, mostly short (where length checks decide), up to a full MTU."""
    size = rng.randint(0, 64) if rng.random() < 0.7 else rng.randint(64, 1500)
    data = bytearray(rng.randbytes(size))
    if data and rng.random() < 0.5:  # often at least look like the right IP version
        data[0] = rng.choice((0x45, 0x46, 0x4F, 0x60))
    return bytes(data)
