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
import os
import stat
from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from typing import Final

import rich
import textual
from rich.cells import get_character_cell_size

from tuitrace.privileges import sudo_user

LATE_IMPORTS: Final = (
    "termios",
    "tty",
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
)
"""Modules that Textual imports only once the app runs (Textual 8): every run imports them, so loading
them before the drop costs nothing extra."""
LATE_IF_NEEDED: Final = (
    "html",  # the screenshot's SVG
    "html.entities",
    "textual.pilot",
    "textual.drivers.headless_driver",
    "rich.traceback",  # Textual's report of a crash: without it a crash after the drop hides its cause
)
"""Modules a run imports only on some paths (a screenshot, a crash). ``rich.traceback`` loads Pygments,
about as much work as the rest of the start-up: loaded ahead only when a later import could fail."""


def _allows(info: os.stat_result, who: tuple[int, int], bits: tuple[int, int, int]) -> bool:
    """The owner's, the group's or the others' ``bits`` (in that order) of ``info`` allow ``who``."""
    uid, gid = who
    owner, group, other = bits
    if info.st_uid == uid:
        return bool(info.st_mode & owner)
    if info.st_gid == gid:
        return bool(info.st_mode & group)
    return bool(info.st_mode & other)


def readable_by(directory: Path, uid: int, gid: int) -> bool:
    """The user ``uid`` (group ``gid``, no other groups and no capabilities, as after the drop) can reach
    ``directory`` and list it: a module there can still be imported then."""
    try:
        if not _allows(directory.stat(), (uid, gid), (stat.S_IRUSR, stat.S_IRGRP, stat.S_IROTH)):
            return False
        search = (stat.S_IXUSR, stat.S_IXGRP, stat.S_IXOTH)
        return all(_allows(part.stat(), (uid, gid), search) for part in (directory, *directory.parents))
    except OSError:
        return False


def late_imports_may_fail(environ: Mapping[str, str] | None = None) -> bool:
    """True when the standard library or the installed packages live where the user tuitrace becomes
    cannot read them (a pyenv or venv under /root, started with sudo): then everything any path might
    import is loaded before the drop."""
    target = sudo_user(os.environ if environ is None else environ) if os.geteuid() == 0 else None
    uid, gid = target if target is not None else (os.geteuid(), os.getegid())
    places = (Path(os.__file__).parent, Path(rich.__file__).parent, Path(textual.__file__).parent)
    return not all(readable_by(place, uid, gid) for place in places)


def preload(*, everything: bool | None = None) -> None:
    """Import every module the live screen imports late, and load Rich's character width table; the
    modules only some paths need too when ``everything`` (by default: when a late import could fail)."""
    names: tuple[str, ...] = LATE_IMPORTS
    if late_imports_may_fail() if everything is None else everything:
        names += LATE_IF_NEEDED
    for name in names:
        with contextlib.suppress(ImportError):
            import_module(name)
    get_character_cell_size("\u2581")  # a block of the RTT history: loads the table for this Unicode version
