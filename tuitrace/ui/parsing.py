"""Checking what the user types into the small input screens.

Each parser returns the value the engine needs or raises ``ValueError`` with a one-line message that the
input screen shows as is. The bounds are the command line's (:mod:`tuitrace.defaults`): ``-z`` and the
sendwait screen refuse the same values with the same words.
"""

from __future__ import annotations

from tuitrace import defaults


def parse_port(text: str) -> int | None:
    """A destination port 1..65535; empty means "no fixed port" (classic UDP, TCP 80)."""
    text = text.strip()
    if not text:
        return None
    bound = defaults.PORT
    if not (text.isascii() and text.isdecimal()):
        raise ValueError(f"not a port number: {text!r} ({int(bound.low)}-{int(bound.high)})")
    port = int(text)
    if not bound.low <= port <= bound.high:
        raise ValueError(f"port {port} is out of range ({int(bound.low)}-{int(bound.high)})")
    return port


def parse_sendwait_text(text: str) -> float:
    """``-z`` as traceroute reads it: above 10 means milliseconds, otherwise seconds. Returns seconds."""
    value = defaults.SENDWAIT.parse(text, "sendwait")
    return defaults.sendwait_seconds(value)


def parse_interval(text: str) -> float:
    """Seconds between rounds."""
    return defaults.INTERVAL.parse(text, "interval")


SENDWAIT_STEPS = (0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
"""What ``+`` and ``-`` step through."""


def next_sendwait(current: float, direction: int) -> float:
    """The next step above (``direction`` > 0) or below ``current``; stays put at either end."""
    if direction > 0:
        return next((s for s in SENDWAIT_STEPS if s > current + 1e-9), current)
    return next((s for s in reversed(SENDWAIT_STEPS) if s < current - 1e-9), SENDWAIT_STEPS[0])
