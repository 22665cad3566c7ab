"""Errors meant for the user: one line naming the problem and what to do. The CLI prints them, exit 2."""

from __future__ import annotations

import errno
from typing import Final


class TuitraceError(Exception):
    pass


class PrivilegeError(TuitraceError):
    pass


RAW_SOCKET_HINT = (
    "raw sockets need root or CAP_NET_RAW: run with sudo, or grant the capability "
    '(sudo setcap cap_net_raw+ep "$(readlink -f "$(command -v python3)")")'
)


_PLAIN_REASONS: Final[dict[int, str]] = {
    errno.EEXIST: "a file of that name is in the way",
    errno.ENOTDIR: "a part of the path is a file, not a directory",
    errno.EISDIR: "it is a directory",
    errno.ENOENT: "no such file or directory",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "too many symbolic links",
}


def plain_os_error(error: OSError, doing: str = "") -> str:
    """A file error in words, without ``[Errno 17]``: ``cannot write /x/y: a file of that name is in the
    way``. ``doing`` is what failed ("cannot write", "cannot create directory"); the path comes from the
    error (or is left out when the error has none)."""
    reason = plain_reason(error)
    path = error.filename
    what = doing or "cannot use"
    return f"{what} {path}: {reason}" if path is not None else f"{what}: {reason}"


def plain_reason(error: OSError) -> str:
    """Why a file operation failed, in words: ``permission denied``, ``a file of that name is in the way``."""
    known = _PLAIN_REASONS.get(error.errno or -1)
    if known is not None:
        return known
    text = error.strerror or str(error)
    return text[:1].lower() + text[1:]
