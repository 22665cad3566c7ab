"""Every default and every bound of what a user can set, in one place.

The command line, the configuration's own defaults, the in-app input screens and the README's option table
all read these values, so a limit cannot differ between ``-z`` on the command line and ``Z`` in the app.
Every bound is finite: ``nan``, ``inf`` and absurd values (eleven days between probes) are refused where
they are typed, with a one-line message, instead of reaching the tracer's arithmetic.

Nothing here imports the rest of tuitrace: this is the bottom of the import graph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

UDP_BASE_PORT: Final = 33434
"""Classic traceroute: UDP probes go to 33434 + n, one port per probe."""
UDP_FIXED_DEFAULT_PORT: Final = 53
"""``-U`` without ``-p``: traceroute's fixed UDP port (DNS, usually let through)."""
TCP_DEFAULT_PORT: Final = 80
"""``-T`` without ``-p``."""
REPORT_DEFAULT_ROUNDS: Final = 10
"""Rounds a headless report runs when ``-c`` is not given (mtr's ``--report`` does the same)."""
SENDWAIT_MS_ABOVE: Final = 10.0
"""traceroute's ``-z``: a value above this means milliseconds, otherwise seconds."""
FIRST_TTL: Final = 1
MAX_TTL: Final = 30
INTERVAL_S: Final = 1.0
"""Seconds between the starts of two rounds (mtr's ``-i``)."""
SENDWAIT_S: Final = 0.0
"""Seconds between two probes of one round: none, the whole path is in flight at once."""
WAIT_S: Final = 2.0
"""Seconds after which an unanswered probe counts as lost."""
TOS_VALUE: Final = 0
PACKET_LEN_BYTES: Final = 0
"""0: the smallest probe that carries tuitrace's identity."""


@dataclass(frozen=True, slots=True)
class Bound:
    """The finite range one setting may take, and how to name it in a message."""

    name: str
    """What the input screens call it: ``sendwait``."""
    flag: str
    """What the command line calls it: ``-z``."""
    low: float
    high: float
    whole: bool = False
    """Only whole numbers (ports, hops, counts)."""
    unit: str = ""
    """Appended to the bounds in messages: `` s``."""

    @property
    def range_text(self) -> str:
        """``1..65535`` or ``0.001..3600 s``, for help texts and the README."""
        return f"{_shown(self.low)}..{_shown(self.high)}{self.unit}"

    def parse(self, text: str, label: str | None = None) -> float:
        """``text`` as a number inside the bounds, or ``ValueError`` with one line naming ``label``
        (the flag unless given: the input screens pass the name)."""
        who = self.flag if label is None else label
        stripped = text.strip()
        try:
            value = int(stripped) if self.whole else float(stripped)
        except ValueError:
            kind = "a whole number" if self.whole else "a number"
            raise ValueError(f"{who} must be {kind}, not {stripped!r}") from None
        return self.check(value, label=who, typed=stripped)

    def check(self, value: float, *, label: str | None = None, typed: str | None = None) -> float:
        """``value`` if it is finite and inside the bounds, else ``ValueError`` naming ``label``."""
        who = self.flag if label is None else label
        text = f"{value:g}" if typed is None else typed
        if not math.isfinite(value):
            raise ValueError(f"{who} must be a finite number, not {text}")
        if value < self.low:
            raise ValueError(f"{who} must be ≥ {_shown(self.low)}{self.unit}, not {text}")
        if value > self.high:
            raise ValueError(f"{who} must be ≤ {_shown(self.high)}{self.unit}, not {text}")
        return value


def _shown(number: float) -> str:
    """``1000000000`` rather than ``1e+09``; ``0.001`` as is."""
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


PORT: Final = Bound("port", "-p", 1, 65535, whole=True)
SENDWAIT: Final = Bound("sendwait", "-z", 0, 10_000)
"""The number as typed (``-z 500`` = 500 ms); :func:`sendwait_seconds` turns it into at most 10 s."""
WAIT: Final = Bound("wait", "-w", 0.001, 60, unit=" s")
INTERVAL: Final = Bound("interval", "-i", 0.001, 3600, unit=" s")
COUNT: Final = Bound("count", "-c", 1, 1_000_000_000, whole=True)
MAX_HOPS: Final = Bound("max hops", "-m", 1, 255, whole=True)
FIRST_HOP: Final = Bound("first hop", "-f", 1, 255, whole=True)
TOS: Final = Bound("TOS", "-t", 0, 255, whole=True)
QUERIES: Final = Bound("probes per hop", "-q", 1, 10, whole=True)
"""traceroute's ``-q NQUERIES``: probes to each TTL per round (traceroute sends 3, mtr and tuitrace 1)."""
QUERIES_VALUE: Final = 1
PACKET_LEN: Final = Bound("packet length", "--packet-size", 0, 65_000, whole=True, unit=" bytes")
"""The probe's whole IP packet length, as traceroute's ``packet_len``; 0 (and any length below the
protocol's smallest probe) sends the smallest probe that carries tuitrace's identity."""

FLOWS: Final = Bound("flows", "--flows", 1, 64, whole=True)
"""``--flows N``: flows probed at once (:mod:`tuitrace.probe.flows`)."""

MAX_SENDWAIT_S: Final = SENDWAIT.high / 1000.0
"""The longest pause between two probes, in seconds (``-z 10000``, the same as ``-z 10``)."""

SOURCE_PORT: Final = Bound("source port", "--sport", 1, 65535, whole=True)
"""``--sport PORT``: the fixed source port of UDP and TCP probes (traceroute's ``--sport``)."""

PRIVACY_HOPS: Final = Bound("privacy hops", "--privacy", 0, 255, whole=True)
"""``--privacy N`` hides hops 1..N (0: none)."""
ALL_BOUNDS: Final = (PORT, SENDWAIT, WAIT, INTERVAL, COUNT, MAX_HOPS, FIRST_HOP, TOS, PACKET_LEN, QUERIES,
                     FLOWS, SOURCE_PORT, PRIVACY_HOPS)
"""Every numeric option's bounds (the README's option table states each one; a test checks it)."""

MAX_TARGETS: Final = 64
"""Hosts in one run (words and ``--targets-file`` together): each is an engine thread and a set of sockets."""
TARGETS_FILE_MAX_BYTES: Final = 1 << 20
"""A ``--targets-file`` (or ``--from-file``) larger than this is certainly not a list of hosts."""
MAX_COMPARED: Final = 6
"""``--compare``: settings traced side by side (at least 2); more make every round that many times longer and
the table unreadable."""

MDA_CONFIDENCES: Final = (95, 99)
"""``--confidence``: the chances that one MDA run finds the whole path (the same as
:data:`tuitrace.probe.mda.CONFIDENCES`, which a test keeps equal); 95 unless given."""


def sendwait_seconds(value: float) -> float:
    """traceroute's ``-z``: a value above 10 means milliseconds, otherwise seconds. Returns seconds.

    ``value`` must already be inside :data:`SENDWAIT` (``ValueError`` otherwise)."""
    SENDWAIT.check(value)
    return value / 1000.0 if value > SENDWAIT_MS_ABOVE else value


# -- what a user types live (the TUI's input screens, --stream's commands): same bounds, one-line errors
def parse_port(text: str) -> int | None:
    """A destination port 1..65535; empty means "no fixed port" (classic UDP, TCP 80)."""
    text = text.strip()
    if not text:
        return None
    bound = PORT
    if not (text.isascii() and text.isdecimal()):
        raise ValueError(f"not a port number: {text!r} ({int(bound.low)}-{int(bound.high)})")
    port = int(text)
    if not bound.low <= port <= bound.high:
        raise ValueError(f"port {port} is out of range ({int(bound.low)}-{int(bound.high)})")
    return port


def parse_sendwait_text(text: str) -> float:
    """``-z`` as traceroute reads it: above 10 means milliseconds, otherwise seconds. Returns seconds."""
    value = SENDWAIT.parse(text, "sendwait")
    return sendwait_seconds(value)


def parse_interval(text: str) -> float:
    """Seconds between rounds."""
    return INTERVAL.parse(text, "interval")
