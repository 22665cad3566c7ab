"""traceroute's annotations for ICMP errors, v4 and v6."""

from __future__ import annotations

import pytest

from tuitrace.packet.incoming import IcmpError
from tuitrace.packet.quote import Quote
from tuitrace.probe.annotate import annotation

QUOTE = Quote(family=4, protocol=17, src="192.0.2.1", dst="198.51.100.9", ttl=1, ip_id=0)


@pytest.mark.parametrize(
    ("family", "kind", "code", "mtu", "mark"),
    [
        (4, 11, 0, None, None),
        (4, 3, 3, None, None),  # port unreachable: reached, no mark
        (4, 3, 0, None, "!N"),
        (4, 3, 1, None, "!H"),
        (4, 3, 2, None, "!P"),
        (4, 3, 4, 1400, "!F-1400"),
        (4, 3, 5, None, "!S"),
        (4, 3, 9, None, "!X"),
        (4, 3, 10, None, "!X"),
        (4, 3, 13, None, "!X"),
        (4, 3, 14, None, "!V"),
        (4, 3, 15, None, "!C"),
        (4, 3, 99, None, "!99"),
        (6, 3, 0, None, None),
        (6, 1, 4, None, None),
        (6, 1, 0, None, "!N"),
        (6, 1, 1, None, "!X"),
        (6, 1, 3, None, "!H"),
        (6, 1, 6, None, "!X"),
        (6, 2, 0, 1280, "!F-1280"),
        (6, 1, 42, None, "!42"),
    ],
)
def test_marks(family: int, kind: int, code: int, mtu: int | None, mark: str | None) -> None:
    assert annotation(family, IcmpError(kind, code, mtu, QUOTE)) == mark
