"""The core never loads Textual: proven in a fresh interpreter, not just by the linter's static graph."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

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


def test_every_module_of_the_package_has_its_place_in_the_layers() -> None:
    """A new top-level module or package outside the layers contract could import anything: the linter would
    not see it. ``__main__`` only calls the command line."""
    package = Path(__file__).parents[3] / "tuitrace"
    settings = tomllib.loads((package.parent / "pyproject.toml").read_text())
    contracts = settings["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    placed = {name.strip() for layer in layers for name in layer.split(":")}
    modules = {f"tuitrace.{p.stem}" for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")}
    packages = {f"tuitrace.{p.parent.name}" for p in package.glob("*/__init__.py")}
    assert sorted((modules | packages) - placed) == []
