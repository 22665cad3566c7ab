"""The core never loads Textual: proven in a fresh interpreter, not just by the linter's static graph."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "tuitrace.packet",
    "tuitrace.probe.tracer",
    "tuitrace.probe.rawnet",
    "tuitrace.probe.simnet",
    "tuitrace.engine.engine",
    "tuitrace.stats.hop",
    "tuitrace.timeline.detector",
    "tuitrace.diagnose.rules",
    "tuitrace.report.text",
    "tuitrace.report.json",
    "tuitrace.report.csv",
    "tuitrace.report.stream",
    "tuitrace.cli",
]


def test_core_and_cli_import_without_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
