"""``--dot`` and ``--mermaid`` on the command line: checked at start (one line, exit 2), written at the end
of a headless run with the report's privacy, on a simulated path (nothing sent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.core.test_cli_errors import tuitrace
from tuitrace.cli import main

SIMULATED = ["--report", "-n", "--no-lookups", "--simulate", "ecmp_udp_classic_v4", "-P", "udp", "-c", "6",
             "-i", "0.01"]


@pytest.mark.parametrize(
    ("words", "needle"),
    [
        (["--dot", "{tmp}/missing/graph.dot"], "--dot {tmp}/missing/graph.dot: no such directory"),
        (["--mermaid", "{tmp}"], "--mermaid {tmp} is a directory, not a file"),
        (["--dot", "{tmp}/g", "--mermaid", "{tmp}/g"], "--dot and --mermaid name the same file"),
        (["--dot", "{tmp}/g.dot", "--demo"], "--dot and --mermaid draw a live trace"),
        (["--dot", "{tmp}/g.dot", "--compare", "icmp,udp"], "--dot and --mermaid draw one trace"),
        (["--dot", "{tmp}/g.dot", "127.0.0.2"], "--dot and --mermaid draw one trace: give one host"),
    ],
)
def test_graph_option_mistakes_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           words: list[str], needle: str) -> None:
    """In this process: each mistake is found before anything is opened or sent (addresses only)."""
    argv = [word.replace("{tmp}", str(tmp_path)) for word in words]
    host = [] if "--demo" in argv else ["127.0.0.1"]
    assert main(["--report", "-n", "--no-lookups", *argv, *host]) == 2
    stderr = capsys.readouterr().err
    assert needle.replace("{tmp}", str(tmp_path)) in stderr, stderr
    assert stderr.count("\n") == 1 and "Traceback" not in stderr
    assert not list(tmp_path.glob("g*"))


def test_a_headless_run_writes_both_graphs_with_its_privacy(tmp_path: Path) -> None:
    dot, mermaid = tmp_path / "path.dot", tmp_path / "path.mmd"
    done = tuitrace(*SIMULATED, "--privacy", "1", "--dot", str(dot), "--mermaid", str(mermaid), "sim")
    assert done.returncode == 0, done.stderr
    text = dot.read_text(encoding="utf-8")
    assert 'h1_1 [label="1: hidden"];' in text and "192.0.2.254" not in text
    assert 'h2_1 [label="2: 203.0.113.21"];' in text and 'h2_2 [label="2: 203.0.113.22"];' in text
    assert "  h1_1 -> h2_1;" in text and "  h1_1 -> h2_2;" in text and "  h2_2 -> h3_1;" in text
    flowchart = mermaid.read_text(encoding="utf-8")
    assert flowchart.startswith("flowchart LR\n") and '  h4_1(("4: 198.51.100.9"))' in flowchart
    assert not [name for name in tmp_path.iterdir() if name.name.startswith(".")]  # no temporary left
