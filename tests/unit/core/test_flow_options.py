"""``--flows``, ``--mda`` and ``--confidence`` mistakes end in one line and exit 2, like every option."""

from __future__ import annotations

import pytest

from tests.unit.core.test_cli_errors import tuitrace


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--flows", "0", "127.0.0.1"], "--flows must be ≥ 1, not 0"),
        (["--flows", "65", "127.0.0.1"], "--flows must be ≤ 64, not 65"),
        (["--confidence", "99", "127.0.0.1"], "--confidence needs --mda"),
        (["--mda", "--flows", "4", "127.0.0.1"], "--mda chooses its own flows"),
    ],
)
def test_flow_option_mistakes_are_one_line(argv: list[str], needle: str) -> None:
    done = tuitrace("--report", "-n", "--no-lookups", *argv)
    assert done.returncode == 2, done.stderr
    assert needle in done.stderr and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
