"""Writing ``--dot`` and ``--mermaid`` at the end of a run (headless) or with a screenshot (the screen).

Apart from :mod:`tuitrace.report.graph`, which only renders: the files were checked when the command line
was read (:func:`tuitrace.userfiles.check_output_file`), and are written whole here, by the user the
process became after a sudo drop, so they belong to that user.
"""

from __future__ import annotations

import sys

from tuitrace.errors import plain_os_error
from tuitrace.lifecycle import write_out
from tuitrace.report.files import write_atomic
from tuitrace.report.graph import GraphFiles, Topology, render_dot, render_mermaid


def write_graph_files(files: GraphFiles, topology: Topology) -> list[str]:
    """Write ``--dot`` and ``--mermaid`` (each whole: a temporary file renamed into place); returns one
    line per file that could not be written (the run's other output is not lost for it)."""
    problems = []
    wanted = (("--dot", files.dot, render_dot), ("--mermaid", files.mermaid, render_mermaid))
    for flag, path, render in wanted:
        if path is None:
            continue
        try:
            write_atomic(path, render(topology))
        except OSError as exc:
            problems.append(f"{flag}: {plain_os_error(exc, 'cannot write')}")
    return problems


def write_graph_files_or_say(files: GraphFiles, topology: Topology) -> bool:
    """:func:`write_graph_files` for a run that has ended: each problem is one line on stderr (after the
    report, which is not lost for it); False when a file could not be written."""
    problems = write_graph_files(files, topology)
    for problem in problems:
        write_out(f"tuitrace: {problem}\n", sys.stderr)
    return not problems
