"""Files and directories named on the command line, checked at start rather than when first used.

An ``--output-dir`` that is a file is otherwise found only when the screenshot key is pressed, and a
``--geoip-db`` that is not a database only as empty places: a user who named a file should hear at once,
in one line, that it cannot be used. Under sudo the check is made for the user the process becomes after
dropping privileges (see :mod:`tuitrace.privileges`), because that user writes the screenshots.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tuitrace.errors import TuitraceError, plain_os_error, plain_reason


def _writable_by(info: os.stat_result, uid: int, gid: int) -> bool:
    """Whether ``uid``/``gid`` (no supplementary groups, no capabilities) may create files in a directory
    with this mode: the owner's bits if it owns it, else the group's if it is in it, else the others'."""
    mode = info.st_mode
    if info.st_uid == uid:
        return mode & stat.S_IWUSR != 0 and mode & stat.S_IXUSR != 0
    if info.st_gid == gid:
        return mode & stat.S_IWGRP != 0 and mode & stat.S_IXGRP != 0
    return mode & stat.S_IWOTH != 0 and mode & stat.S_IXOTH != 0


def check_output_dir(path: Path, as_user: tuple[int, int] | None = None) -> None:
    """``path`` is a directory the user can write, or can be created; ``TuitraceError`` otherwise.

    ``as_user`` is ``(uid, gid)`` of the user the process will become (sudo), ``None`` for this process."""
    existing = path
    while True:
        try:
            info = existing.stat()
            break
        except (FileNotFoundError, NotADirectoryError):  # walk up to what exists
            if existing.parent == existing:
                raise TuitraceError(f"--output-dir {path}: no such directory") from None
            existing = existing.parent
        except OSError as exc:
            raise TuitraceError(f"--output-dir {path}: {plain_os_error(exc, 'cannot reach')}") from None
    if not stat.S_ISDIR(info.st_mode):
        if existing == path:
            raise TuitraceError(f"--output-dir {path} is a file, not a directory")
        raise TuitraceError(f"--output-dir {path} cannot be created: {existing} is a file, not a directory")
    if not (_writable_by(info, *as_user) if as_user else os.access(existing, os.W_OK | os.X_OK)):
        if existing == path:
            raise TuitraceError(f"--output-dir {path} is not writable by you")
        raise TuitraceError(f"--output-dir {path} cannot be created: {existing} is not writable by you")


def check_output_file(path: Path, flag: str, as_user: tuple[int, int] | None = None) -> None:
    """``path`` can be written at the end of the run: its directory exists and is writable (by the user
    the process will become), and it is not a directory; ``TuitraceError`` naming ``flag`` otherwise."""
    if path.is_dir():
        raise TuitraceError(f"{flag} {path} is a directory, not a file")
    folder = path.parent
    try:
        info = folder.stat()
    except FileNotFoundError:
        raise TuitraceError(f"{flag} {path}: no such directory {folder}") from None
    except OSError as exc:
        raise TuitraceError(f"{flag} {path}: {plain_os_error(exc, 'cannot reach')}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise TuitraceError(f"{flag} {path}: {folder} is a file, not a directory")
    if not (_writable_by(info, *as_user) if as_user else os.access(folder, os.W_OK | os.X_OK)):
        raise TuitraceError(f"{flag} {path}: {folder} is not writable by you")


def geoip_file_problem(path: str) -> str | None:
    """Why ``path`` is not a usable MaxMind-format database (missing, empty, corrupt), as a phrase that
    follows the path ("is empty"), or ``None`` when it is usable."""
    file = Path(path)
    try:
        info = file.stat()
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be read: {plain_reason(exc)}"
    if stat.S_ISDIR(info.st_mode):
        return "is a directory, not a .mmdb file"
    if info.st_size == 0:
        return "is empty"
    import maxminddb

    try:
        reader = maxminddb.open_database(path)
    except OSError as exc:
        return f"cannot be read: {plain_reason(exc)}"
    except (ValueError, maxminddb.InvalidDatabaseError):
        return "is not a MaxMind-format .mmdb database (corrupt or another format)"
    try:
        if reader.metadata().node_count == 0:
            return "holds no networks"
    finally:
        reader.close()
    return None
