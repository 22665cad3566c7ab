"""Files a run writes for the user (screenshots, their Markdown, graphs): each written whole.

A temporary file in the same directory, synced, then renamed into place: a reader (a ticket system picking
up the folder, an editor) sees the old file, or the whole new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either absent, the old file, or the whole new one."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o644)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
