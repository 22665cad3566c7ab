"""The configuration file: ``~/.config/tuitrace/config.toml`` (or ``$XDG_CONFIG_HOME/tuitrace/config.toml``,
or ``--config PATH``), read with :mod:`tomllib`.

People who keep a traceroute open all day want their protocol, interval, resolver, GeoIP database and
theme without typing them each time. The file does not have options of its own: every key is a long
option of the command line without its dashes (``interval = 0.5`` is ``--interval 0.5``, ``no-lookups =
true`` is ``--no-lookups``), so an option added to :mod:`tuitrace.arguments` later can be set here without
touching this module. The file's values become the parser's defaults, so a flag on the command line
overrides them; they then go through exactly the checks the command line's go through.

A value from the file is a :class:`FileValue`: a string that remembers its key and file, so a check that
fails on it can name both, and a rule that only makes sense for typed flags (``-p`` without ``-U``/``-T``
is an error) can let a port from the file wait for a port-based protocol instead.

Started with sudo, the file is the sudo user's (their home), not root's.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from tuitrace import defaults
from tuitrace.errors import TuitraceError, plain_os_error

CONFIG_OPTION: Final = "--config"
PRINT_OPTION: Final = "--print-config"
NOT_SETTINGS: Final = frozenset({"help", "version", "config", "print-config", "atlas", "atlas-file",
                                 "atlas-probe-info", "atlas-create", "atlas-probes", "atlas-from"})
"""Long options that make no sense in the file (RIPE Atlas's: a measurement named or created on every run,
spending credits each time, is never a setting)."""
DEFAULTS_SHOWN: Final[Mapping[str, object]] = {
    "protocol": "icmp",
    "sendwait": defaults.SENDWAIT_S,
    "wait": defaults.WAIT_S,
    "interval": defaults.INTERVAL_S,
    "max-hops": defaults.MAX_TTL,
    "first-hop": defaults.FIRST_TTL,
    "tos": defaults.TOS_VALUE,
    "packet-size": defaults.PACKET_LEN_BYTES,
    "output-dir": "screenshots",
    "theme": "textual-dark",
}
"""Defaults that argparse does not hold (it keeps ``None`` for "not given"), for ``--print-config``; any
other option shows argparse's own default, or a commented example when it has none."""
EXAMPLES: Final[Mapping[str, object]] = {
    "port": 443,
    "count": 10,
    "source": "192.0.2.1",
    "interface": "eth0",
    "dns-server": "192.0.2.53",
    "geoip-db": ["/usr/share/GeoIP/GeoLite2-City.mmdb"],
}
"""Commented examples for keys without a default (others show ``"..."``)."""


class FileValue(str):
    """A string value read from the configuration file, with the key and the file it came from."""

    key: str
    source: str

    def __new__(cls, text: str, key: str, source: str) -> FileValue:
        value = super().__new__(cls, text)
        value.key = key
        value.source = source
        return value

    @property
    def where(self) -> str:
        """``/home/me/.config/tuitrace/config.toml: interval`` for a message."""
        return f"{self.source}: {self.key}"


@dataclass(frozen=True, slots=True)
class Settings:
    """What the file set: parser defaults (by ``dest``), and the keys it used (by ``dest``)."""

    path: Path | None
    values: Mapping[str, Any]
    keys: Mapping[str, str]
    """``dest`` -> the key in the file (``max_hops`` -> ``max-hops``)."""


NO_SETTINGS: Final = Settings(None, {}, {})


def option_word(words: Sequence[str], option: str) -> str | None:
    """The value of ``--config PATH`` / ``--config=PATH`` among the words, before argparse runs (the file
    must be read first: its values are the parser's defaults); ``None`` when absent."""
    for index, word in enumerate(words):
        if word == "--":
            return None
        if word == option:
            return words[index + 1] if index + 1 < len(words) else ""
        if word.startswith(option + "="):
            return word.split("=", 1)[1]
    return None


def default_path(environ: Mapping[str, str], euid: int | None = None) -> Path:
    """``$XDG_CONFIG_HOME/tuitrace/config.toml``, else ``~/.config/tuitrace/config.toml`` of the user —
    of the sudo user when started with sudo (root's home is not where they keep their settings)."""
    base = environ.get("XDG_CONFIG_HOME", "").strip()
    if base and Path(base).is_absolute():  # the XDG spec: a relative value is ignored
        return Path(base) / "tuitrace" / "config.toml"
    home = environ.get("HOME", "") or str(Path.home())
    uid = environ.get("SUDO_UID", "")
    if (os.geteuid() if euid is None else euid) == 0 and uid.isdigit() and int(uid) != 0:
        with contextlib.suppress(KeyError):
            home = pwd.getpwuid(int(uid)).pw_dir
    return Path(home) / ".config" / "tuitrace" / "config.toml"


def read_table(path: Path) -> dict[str, Any]:
    import tomllib  # only when there is a file: the command line's import path stays short

    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as exc:
        raise TuitraceError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:  # tomllib decodes the whole file first
        raise TuitraceError(f"{path}: not UTF-8 text (byte {exc.start}): not a TOML file") from None
    except OSError as exc:
        raise TuitraceError(plain_os_error(exc, "cannot read the configuration file")) from None


def settable(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Every key the file may hold: the long options, without their dashes."""
    keys: dict[str, argparse.Action] = {}
    for action in parser._actions:  # argparse has no public list of its actions
        for flag in action.option_strings:
            if flag.startswith("--") and flag[2:] not in NOT_SETTINGS:
                keys[flag[2:]] = action
    return keys


def _scalar(value: object, key: str, source: str) -> FileValue:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TuitraceError(f"{source}: {key} must be a string or a number, not {_toml_kind(value)}")
    return FileValue(value if isinstance(value, str) else repr(value), key, source)


def _toml_kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def file_values(parser: argparse.ArgumentParser, table: Mapping[str, Any], source: str) -> Settings:
    """The table's keys as parser defaults; an unknown key or a value of the wrong kind is one line
    naming the key and the file."""
    keys = settable(parser)
    values: dict[str, Any] = {}
    used: dict[str, str] = {}
    for key, value in table.items():
        action = keys.get(key)
        if action is None:
            raise TuitraceError(f"{source}: unknown key {key!r} (tuitrace --print-config lists every key)")
        if action.nargs == 0:  # a flag: true sets it, false leaves the default
            if not isinstance(value, bool):
                raise TuitraceError(f"{source}: {key} must be true or false, not {_toml_kind(value)}")
            if value:
                values[action.dest] = action.const
                used[action.dest] = key
            continue
        if isinstance(action, argparse._AppendAction):  # repeatable: one value or a list
            items = value if isinstance(value, list) else [value]
            values[action.dest] = [_scalar(item, key, source) for item in items]
        else:
            text = _scalar(value, key, source)
            if action.choices is not None and text not in action.choices:
                choices = ", ".join(str(choice) for choice in action.choices)
                raise TuitraceError(f"{source}: {key} must be one of {choices}, not {value!r}")
            values[action.dest] = text
        used[action.dest] = key
    return Settings(None, values, used)


def _is_file(path: Path) -> bool:
    """Whether the default file is there; a folder on the way we may not even look into (``$HOME`` of
    another user, as under ``setpriv`` or ``sudo -u``) means there is none of ours, not an error."""
    try:
        return path.is_file()
    except PermissionError:
        return False


def load_settings(parser: argparse.ArgumentParser, words: Sequence[str],
                  environ: Mapping[str, str]) -> Settings:
    """The file named by ``--config``, else the default file if it exists, else nothing."""
    named = option_word(words, CONFIG_OPTION)
    if named == "":
        raise TuitraceError(f"{CONFIG_OPTION} needs a file name")
    path = Path(named) if named is not None else default_path(environ)
    if named is None and not _is_file(path):
        return NO_SETTINGS
    settings = file_values(parser, read_table(path), str(path))
    return Settings(path, settings.values, settings.keys)


def _toml_value(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def template(parser: argparse.ArgumentParser) -> str:
    """``--print-config``: every key with its help and its default, as a TOML file that loads back as
    the defaults; keys without a default are commented out."""
    lines = ["# tuitrace configuration: ~/.config/tuitrace/config.toml",
             "# ($XDG_CONFIG_HOME/tuitrace/config.toml) or --config PATH. Every key is a long option",
             "# without its dashes; a flag on the command line overrides the file.",
             "# Generated by tuitrace --print-config.", ""]
    seen: set[int] = set()
    for key, action in settable(parser).items():
        if id(action) in seen:
            continue
        seen.add(id(action))
        help_text = (action.help or "").replace("\n", " ").replace("%%", "%")
        lines.append(f"# {help_text}")
        if action.choices is not None:
            lines.append(f"# one of: {', '.join(str(choice) for choice in action.choices)}")
        if action.nargs == 0:
            lines.append(f"{key} = false")
        elif key in DEFAULTS_SHOWN:
            lines.append(f"{key} = {_toml_value(DEFAULTS_SHOWN[key])}")
        elif action.default not in (None, argparse.SUPPRESS, []) and not isinstance(action.default, list):
            lines.append(f"{key} = {_toml_value(action.default)}")
        else:
            lines.append(f"# {key} = {_toml_value(EXAMPLES.get(key, '...'))}")
        lines.append("")
    return "\n".join(lines)
