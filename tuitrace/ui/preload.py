"""Import now, while privileges still allow reading anything, what the live screen would import later.

Started with sudo, tuitrace becomes the sudo user before the UI starts (``tuitrace.privileges``). If Python
or the virtualenv lives where that user cannot read (a pyenv or a venv under ``/root``, mode 700), every
import after that point fails: Textual imports its Linux driver (and with it ``termios`` and ``tty``), the
xterm key parser and some layouts only when the app starts, and Rich loads its Unicode width table the first
time it measures a wide character. ``tuitrace.run`` calls :func:`preload` right before dropping privileges.

The list comes from running the app through every key and screen and recording what ``sys.modules`` gained
after the drop; ``tests/ui/test_privilege_drop.py`` runs the real app that way, from a mode-700 directory,
and fails if anything is still imported late. A name that a later Textual no longer has is skipped: the
test then shows whether the new version imports something else late.
"""

from __future__ import annotations

import contextlib
from importlib import import_module
from typing import Final

from rich.cells import get_character_cell_size

LATE_IMPORTS: Final = (
    "termios",
    "tty",
    "html",
    "html.entities",
    "textual.drivers.linux_driver",
    "textual.drivers._writer_thread",
    "textual.drivers._input_reader",
    "textual._keyboard_protocol",
    "textual._parser",
    "textual._xterm_parser",
    "textual.layouts.factory",
    "textual.layouts.horizontal",
    "textual.layouts.stream",
    "textual.layouts.grid",
    "textual.layouts.vertical",
    "textual.scrollbar",
    "textual.pilot",
    "textual.drivers.headless_driver",
    "rich.traceback",  # Textual's report of a crash: without it a crash after the drop hides its cause
)
"""Modules that Textual and Rich import only once the app runs (Textual 8)."""


def preload() -> None:
    """Import every module the live screen imports late, and load Rich's character width table."""
    for name in LATE_IMPORTS:
        with contextlib.suppress(ImportError):
            import_module(name)
    get_character_cell_size("\u2581")  # a block of the RTT history: loads the table for this Unicode version
