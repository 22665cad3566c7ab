"""Turning numbers into the short strings a narrow terminal column can hold.

Pure functions, shared by the header, the hop table and the screenshot report, so every place shows a
value the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SPARK_LEVELS = "▁▂▃▄▅▆▇█"
SPARK_LOST = "·"
"""A lost probe; a character rather than a colour, so it shows with NO_COLOR too."""


def fmt_ms(value: float | None) -> str:
    """An RTT in ms: two decimals below 1 ms (loopback, LAN), one below 100 ms, whole numbers above."""
    if value is None or math.isnan(value):
        return ""
    if value < 1:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def fmt_pct(value: float) -> str:
    return f"{value:.1f}%" if value < 100 else "100%"


def fmt_duration(seconds: float) -> str:
    """Elapsed time as ``M:SS`` or ``H:MM:SS``."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def fmt_seconds(seconds: float) -> str:
    """A short delay: ``0``, ``50 ms``, ``1.5 s``."""
    if seconds <= 0:
        return "0"
    if seconds < 1:
        ms = seconds * 1000
        return f"{ms:.0f} ms" if ms >= 1 else f"{ms:.2g} ms"
    return f"{seconds:g} s"


def sparkline(history: Sequence[float | None], width: int, top: float | None = None) -> str:
    """The latest ``width`` RTTs as bars, full height at ``top`` ms; a lost probe is ``·``.

    The table passes the slowest RTT of all hops as ``top``, so bars compare across hops (as in mtr's
    graph modes) and a spike stands out; without ``top`` the hop's own worst is used.
    """
    if width <= 0:
        return ""
    recent = list(history)[-width:]
    if top is None:
        top = max((v for v in recent if v is not None), default=0.0)
    out = []
    for value in recent:
        if value is None:
            out.append(SPARK_LOST)
        elif top <= 0:
            out.append(SPARK_LEVELS[0])
        else:
            level = min(len(SPARK_LEVELS), max(1, math.ceil(value / top * len(SPARK_LEVELS)))) - 1
            out.append(SPARK_LEVELS[level])
    return "".join(out)


def fit(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` cells, marking the cut with an ellipsis."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: width - 1] + "…"


# -- severity: how alarming a loss or an RTT is, in one place --------------------------------------------

LOSS_WARN_PCT = 0.0
"""Any loss above this is a warning: one lost probe in a short run is worth a look."""
LOSS_BAD_PCT = 5.0
"""At or above this, a problem: more than a voice or video call hides."""
RTT_WARN_MS = 100.0
"""An RTT at or above this is a warning: the round trip starts to show in interactive use."""
RTT_BAD_MS = 250.0
"""At or above this, a problem: about what ITU-T G.114 allows one way (150 ms) plus a little, doubled."""
SEVERITY_STYLES = ("", "bold yellow", "bold underline red")
"""Ok, warning, problem. Bold and underline as well as colour, so the three stay apart under ``NO_COLOR``
and ``TERM=dumb``, where Textual draws colours as greys."""


def loss_severity(loss_pct: float) -> int:
    """0 ok, 1 warning (above ``LOSS_WARN_PCT``), 2 problem (from ``LOSS_BAD_PCT``)."""
    return 2 if loss_pct >= LOSS_BAD_PCT else 1 if loss_pct > LOSS_WARN_PCT else 0


def rtt_severity(rtt_ms: float | None) -> int:
    """0 ok (or unknown), 1 warning (from ``RTT_WARN_MS``), 2 problem (from ``RTT_BAD_MS``)."""
    if rtt_ms is None:
        return 0
    return 2 if rtt_ms >= RTT_BAD_MS else 1 if rtt_ms >= RTT_WARN_MS else 0


def loss_style(loss_pct: float) -> str:
    return SEVERITY_STYLES[loss_severity(loss_pct)]


def rtt_style(rtt_ms: float | None) -> str:
    return SEVERITY_STYLES[rtt_severity(rtt_ms)]
