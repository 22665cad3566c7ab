"""The files tuitrace ships for its users: the demo recording and the ``--simulate`` scenarios.

They live in the repository's top-level ``assets/`` folder, which the wheel installs as the package
``tuitrace.assets`` (``pyproject.toml`` maps the folder). Run from a checkout without installing, the
folder itself is used.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from tuitrace.replay.format import RecordingError

DEMO_RECORDING = "demo.jsonl.gz"


def assets() -> Traversable:
    """The installed assets, or the checkout's ``assets/`` folder."""
    try:
        return resources.files("tuitrace.assets")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "assets"


def demo_recording() -> Traversable:
    demo = assets() / DEMO_RECORDING
    if not demo.is_file():
        raise RecordingError("the demo recording is missing from this installation of tuitrace")
    return demo


def shipped_scenario(name: str) -> str | None:
    """The path of the ``--simulate`` scenario tuitrace ships as ``name`` (``.toml`` optional), if any."""
    if "/" in name or name.startswith("."):
        return None
    scenario = assets() / "scenarios" / (name if name.endswith(".toml") else f"{name}.toml")
    return str(scenario) if scenario.is_file() else None
