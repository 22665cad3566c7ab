"""Checking what the user types into the small input screens.

Each parser returns the value the engine needs or raises ``ValueError`` with a one-line message that the
input screen shows as is. The bounds are the command line's (:mod:`tuitrace.defaults`): ``-z`` and the
sendwait screen refuse the same values with the same words.
"""

from __future__ import annotations

from tuitrace.defaults import parse_interval, parse_port, parse_sendwait_text

__all__ = ["next_sendwait", "parse_interval", "parse_port", "parse_sendwait_text"]


SENDWAIT_STEPS = (0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
"""What ``+`` and ``-`` step through."""


def next_sendwait(current: float, direction: int) -> float:
    """The next step above (``direction`` > 0) or below ``current``; stays put at either end."""
    if direction > 0:
        return next((s for s in SENDWAIT_STEPS if s > current + 1e-9), current)
    return next((s for s in reversed(SENDWAIT_STEPS) if s < current - 1e-9), SENDWAIT_STEPS[0])
