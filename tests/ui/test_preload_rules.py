"""What the live screen loads before the privilege drop: everything a later import needs when the user
tuitrace becomes cannot read the installation, and not Pygments' worth of crash reporting otherwise."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tuitrace.ui.preload import LATE_IF_NEEDED, readable_by

NOBODY = (65534, 65534)


def test_a_directory_under_a_private_home_is_not_readable_by_another_user() -> None:
    base = Path(tempfile.mkdtemp(prefix="tuitrace-preload-", dir="/tmp"))  # not under pytest's 700 dir
    try:
        check_modes(base)
    finally:
        shutil.rmtree(base)


def check_modes(base: Path) -> None:
    base.chmod(0o755)
    private = base / "home"
    shared = private / "lib"
    shared.mkdir(parents=True)
    shared.chmod(0o755)
    private.chmod(0o700)
    me = (os.geteuid(), os.getegid())
    assert readable_by(shared, *me)
    assert not readable_by(shared, *NOBODY)
    private.chmod(0o711)
    assert readable_by(shared, *NOBODY)
    shared.chmod(0o711)
    assert not readable_by(shared, *NOBODY), "searchable but not listable"
    assert not readable_by(base / "missing", *me)


@pytest.mark.parametrize(("sudo", "loaded"), [(False, False), (True, True)])
def test_crash_reporting_is_loaded_ahead_only_when_a_late_import_could_fail(sudo: bool, loaded: bool) -> None:
    """Run as the user itself, nothing becomes unreadable: rich.traceback (Pygments) waits for a crash.
    As root for a sudo user who cannot read this Python (under /root here), it is loaded ahead."""
    if sudo and os.geteuid() != 0:
        pytest.skip("needs root, as sudo would run tuitrace")
    if sudo and readable_by(Path(os.__file__).parent, *NOBODY):
        pytest.skip("this Python is readable by everyone: nothing needs loading ahead")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SUDO_")}
    if sudo:
        env |= {"SUDO_UID": str(NOBODY[0]), "SUDO_GID": str(NOBODY[1])}
    code = ("import sys; from tuitrace.ui.preload import preload; preload(); "
            f"print([name in sys.modules for name in {list(LATE_IF_NEEDED)!r}])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str([loaded] * len(LATE_IF_NEEDED))
