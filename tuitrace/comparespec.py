"""``--compare icmp,udp,tcp:443``: the settings compare mode traces side by side, as typed values.

Each item is a protocol, optionally with a port: ``icmp``; ``udp`` (classic, 33434 + n) or ``udp:53``;
``tcp`` (port 80) or ``tcp:443`` — the same port policy as ``-P``/``-p`` (:func:`tuitrace.config.port_for`).
The first item is the reference the others are compared with. A mistake is one line naming the item.
"""

from __future__ import annotations

from tuitrace import defaults
from tuitrace.config import Protocol, Setting, port_for
from tuitrace.errors import TuitraceError

_FORMS = "icmp, udp, udp:PORT, tcp or tcp:PORT"


def parse_item(item: str) -> Setting:
    name, colon, port_text = item.strip().lower().partition(":")
    try:
        protocol = Protocol(name)
    except ValueError:
        raise TuitraceError(f"--compare: {item.strip()!r} is not {_FORMS}") from None
    if not colon:
        return Setting(protocol, port_for(protocol, None))
    if protocol is Protocol.ICMP:
        raise TuitraceError(f"--compare: ICMP has no port ({item.strip()!r})")
    try:
        port = int(defaults.PORT.parse(port_text, label=f"--compare {name} port"))
    except ValueError as exc:
        raise TuitraceError(str(exc)) from None
    return Setting(protocol, port_for(protocol, port))


def parse_compare(text: str) -> tuple[Setting, ...]:
    """The settings of ``--compare``, in the order given: at least two, each once."""
    items = [item for item in text.split(",") if item.strip()]
    settings = tuple(parse_item(item) for item in items)
    if len(settings) < 2:
        raise TuitraceError(f"--compare needs two settings or more, separated by commas ({_FORMS})")
    if len(settings) > defaults.MAX_COMPARED:
        raise TuitraceError(f"--compare: at most {defaults.MAX_COMPARED} settings, not {len(settings)}")
    seen: set[Setting] = set()
    for setting in settings:
        if setting in seen:
            raise TuitraceError(f"--compare lists {setting.label} twice")
        seen.add(setting)
    return settings


def compare_settings(text: str | None, *, protocol_given: bool, port_given: bool, several_targets: bool,
                     stream: bool) -> tuple[Setting, ...] | None:
    """``--compare``'s settings (``None`` without it), refusing what does not go with it."""
    if text is None:
        return None
    if protocol_given or port_given:
        raise TuitraceError("--compare names the protocols and ports: leave out -I, -U, -T, -P and -p")
    if several_targets:
        raise TuitraceError("--compare traces one target: give one host")
    if stream:
        raise TuitraceError("--stream follows one setting: leave out --compare, or use --json")
    return parse_compare(text)
