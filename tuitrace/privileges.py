"""Give up privileges once the sockets are open: a TUI that parses packets from the network should not
run as root, and the screenshots and reports it writes should belong to the user who asked for them.

Started through sudo (``SUDO_UID`` / ``SUDO_GID`` set, effective uid 0): become that user, with no
supplementary groups. Otherwise (root without sudo, or a binary given ``cap_net_raw`` with setcap): clear
every capability. Either way ``no_new_privs`` is set first, so nothing the process runs later can get them
back. Sockets already open keep working: the kernel checks CAP_NET_RAW when a raw socket is created, not
when it is used.

Linux keeps uids and capabilities per thread: call :func:`drop_privileges` before any other thread starts.
After the switch the sudo user may not be able to read Python itself (a pyenv or venv under /root): every
module that runs later must be imported before the drop (see ``tuitrace.ui.preload`` and
``tuitrace.enrich.preload``).
"""

from __future__ import annotations

import ctypes
import os
import pwd
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tuitrace.errors import TuitraceError

_PR_SET_NO_NEW_PRIVS = 38
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


@dataclass(frozen=True, slots=True)
class Dropped:
    """What :func:`drop_privileges` did."""

    uid: int
    gid: int


def _libc() -> ctypes.CDLL:
    """The C library this process already runs on (``ctypes.util.find_library`` would run ``ldconfig``
    in a subprocess, on the way to the first screen)."""
    return ctypes.CDLL(None, use_errno=True)


def effective_capabilities(status: str | None = None) -> int:
    """CapEff of this process (from ``/proc/self/status``, or the given text of such a file)."""
    text = status if status is not None else Path("/proc/self/status").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("CapEff:"):
            return int(line.split()[1], 16)
    raise TuitraceError("cannot read the process capabilities from /proc/self/status")


def sudo_user(environ: Mapping[str, str]) -> tuple[int, int] | None:
    """(uid, gid) of the user who ran sudo, or ``None`` when not started through sudo (or by root)."""
    uid, gid = environ.get("SUDO_UID", ""), environ.get("SUDO_GID", "")
    if not (uid.isdigit() and gid.isdigit()) or int(uid) == 0:
        return None
    return int(uid), int(gid)


def _no_new_privs(libc: ctypes.CDLL) -> None:
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise TuitraceError(f"cannot set no_new_privs: {os.strerror(ctypes.get_errno())}")


def _clear_capabilities(libc: ctypes.CDLL) -> None:
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()  # all zero: no effective, permitted or inheritable capability
    if libc.capset(ctypes.byref(header), data) != 0:
        raise TuitraceError(f"cannot drop capabilities: {os.strerror(ctypes.get_errno())}")


def _become(uid: int, gid: int, environ: dict[str, str]) -> None:
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)  # from uid 0 to another uid: the kernel clears every capability too
    try:
        entry = pwd.getpwuid(uid)
    except KeyError:
        return
    environ.update(HOME=entry.pw_dir, USER=entry.pw_name, LOGNAME=entry.pw_name)


def drop_privileges(environ: dict[str, str] | None = None) -> Dropped | None:
    """Become the sudo user, or clear every capability; ``None`` when there was nothing to drop.

    Raises ``TuitraceError`` (one line) if privileges cannot be dropped: running on with them is worse."""
    env: dict[str, str] = os.environ if environ is None else environ  # type: ignore[assignment]
    target = sudo_user(env) if os.geteuid() == 0 else None
    if target is None and effective_capabilities() == 0:
        return None
    libc = _libc()
    _no_new_privs(libc)
    if target is not None:
        try:
            _become(*target, env)
        except OSError as exc:
            raise TuitraceError(f"cannot switch to uid {target[0]}: {exc.strerror}") from exc
    else:
        _clear_capabilities(libc)
    if effective_capabilities() != 0 or (target is not None and os.geteuid() != target[0]):
        raise TuitraceError("privileges are still held after dropping them; refusing to go on")
    uid, gid = target if target is not None else (os.geteuid(), os.getegid())
    return Dropped(uid=uid, gid=gid)
