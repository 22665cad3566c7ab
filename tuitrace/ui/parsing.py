"""Checking what the user types into the small input screens.

Each parser returns the value the engine needs or raises ``ValueError`` with a one-line message that the
input screen shows as is.
"""

from __future__ import annotations

import math

from tuitrace.config import parse_sendwait

MAX_SENDWAIT_S = 10.0
MIN_INTERVAL_S = 0.001
"""The same bounds as the command line's ``-i``."""
MAX_INTERVAL_S = 3600.0


def parse_port(text: str) -> int | None:
    """A destination port 1..65535; empty means "no fixed port" (classic UDP, TCP 80)."""
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdecimal()):
        raise ValueError(f"not a port number: {text!r} (1-65535)")
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} is out of range (1-65535)")
    return port


def _number(text: str, what: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"not a number: {text.strip()!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number")
    return value


def parse_sendwait_text(text: str) -> float:
    """``-z`` as traceroute reads it: above 10 means milliseconds, otherwise seconds. Returns seconds."""
    value = _number(text, "sendwait")
    if value < 0:
        raise ValueError("sendwait must not be negative")
    seconds = parse_sendwait(value)
    if seconds > MAX_SENDWAIT_S:
        raise ValueError(f"sendwait of at most {MAX_SENDWAIT_S:g} s, please")
    return seconds


def parse_interval(text: str) -> float:
    """Seconds between rounds."""
    value = _number(text, "interval")
    if not MIN_INTERVAL_S <= value <= MAX_INTERVAL_S:
        raise ValueError(f"interval must be between {MIN_INTERVAL_S:g} and {MAX_INTERVAL_S:g} s")
    return value


SENDWAIT_STEPS = (0.0, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
"""What ``+`` and ``-`` step through."""


def next_sendwait(current: float, direction: int) -> float:
    """The next step above (``direction`` > 0) or below ``current``; stays put at either end."""
    if direction > 0:
        return next((s for s in SENDWAIT_STEPS if s > current + 1e-9), current)
    return next((s for s in reversed(SENDWAIT_STEPS) if s < current - 1e-9), SENDWAIT_STEPS[0])
