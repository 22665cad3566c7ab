"""The figures that need no network: memory after many probes (simulated network) and the cost of one
table update in the TUI (headless app, fake engine). Each runs in a child process of its own."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from bench.table import Row, yes
from bench.tools import ROOT, python_env


def _child(module: str, *args: str, timeout: float = 600.0) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, check=False,
                          env=python_env(), cwd=ROOT, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed: {done.stderr.strip().splitlines()[-1:]}")
    result: dict[str, float] = json.loads(done.stdout)
    return result


def memory(small: int, large: int) -> list[Row]:
    low = _child("bench.memory", str(small))
    high = _child("bench.memory", str(large))
    grow = high["maxrss_kib"] / low["maxrss_kib"]
    return [Row(f"5. peak RSS after {large:,} probes vs after {small:,} (simulated)",
                f"{high['maxrss_kib'] / 1024:.1f} MiB",
                f"{low['maxrss_kib'] / 1024:.1f} MiB (tuitrace, {small:,})",
                f"{grow:.2f}x", "<= 1.2x", yes(grow <= 1.2))]


def ui_update(updates: int, runs: int) -> list[Row]:
    try:
        import tuitrace.ui.app  # noqa: F401  (is the TUI there at all?)
    except ImportError as error:
        return [Row("6. one table update, 30 hops x 8 responders", f"skipped: no TUI ({error})")]
    results = [_child("bench.ui_cost", str(updates)) for _ in range(runs)]
    apply_ms = statistics.median(result["apply_ms"] for result in results)
    render_ms = statistics.median(result["render_ms"] for result in results)
    return [
        Row("6. apply one snapshot to the table (30 hops x 8 responders)", f"{apply_ms:.1f} ms", "-", "-",
            "<= 5 ms", yes(apply_ms <= 5.0)),
        Row("6. ... and render it (120x40 screen, headless)", f"{render_ms:.1f} ms"),
        *display_modes(updates, runs),
    ]


def display_modes(updates: int, runs: int) -> list[Row]:
    """The other display modes (``d``) on the same snapshots: the history strip and the RTT chart."""
    rows = []
    for mode, what in (("strip", "history strip, 30 hops"), ("chart", "RTT chart of one hop")):
        results = [_child("bench.ui_cost", str(updates), mode) for _ in range(runs)]
        apply_ms = statistics.median(result["apply_ms"] for result in results)
        render_ms = statistics.median(result["render_ms"] for result in results)
        rows.append(Row(f"6. apply one snapshot to the {what}", f"{apply_ms:.1f} ms", "-", "-", "<= 5 ms",
                        yes(apply_ms <= 5.0)))
        rows.append(Row("6. ... and render it (120x40 screen, headless)", f"{render_ms:.1f} ms"))
    return rows

