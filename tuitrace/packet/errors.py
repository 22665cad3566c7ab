"""The one error type of the packet layer.

Bytes that arrive from the network are untrusted: a truncated quote, a wrong version nibble or a length field
that points past the end must never escape as ``struct.error`` or ``IndexError``. Every parser in
:mod:`tuitrace.packet` checks sizes before reading and raises :class:`PacketError`, so the receive path has
exactly one exception to count and drop.
"""

from __future__ import annotations


class PacketError(ValueError):
    """Raised by every parser in :mod:`tuitrace.packet` for bytes that are not a well-formed packet."""


def require_length(data: bytes, length: int, what: str) -> None:
    """Raise :class:`PacketError` unless *data* holds at least *length* bytes of *what*."""
    if len(data) < length:
        raise PacketError(f"{what}: need {length} bytes, got {len(data)}")


def check_field(name: str, value: int, bits: int) -> None:
    """Raise :class:`ValueError` if a builder argument does not fit an unsigned field of *bits* bits.

    Builders take values from our own code, so a bad value is a programming error (``ValueError``), but a
    clear one rather than the ``struct.error`` that ``struct.pack`` would raise.
    """
    if not 0 <= value < (1 << bits):
        raise ValueError(f"{name}={value} does not fit in {bits} bits")
