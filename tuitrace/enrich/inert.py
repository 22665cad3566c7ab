"""Text from the network made inert before anything shows it: the one place names and owners are cleaned.

A PTR record, a Team Cymru AS name, an RDAP owner or a GeoIP city is written by whoever runs that server or
file, and tuitrace shows it in a terminal, an SVG, a Markdown file and three report formats. Such text could
carry terminal escape sequences (colour, OSC 8 links, OSC 52 clipboard writes), bells, right-to-left
overrides that make a name read differently from what it is, kilobytes of padding, or bytes that are not
UTF-8. Everything the enricher hands out passes through :func:`inert_text` (names) or :func:`inert_tree`
(RDAP's nested answer), so every renderer downstream receives one-line, printable, bounded text.

What is replaced keeps a visible mark: a control or invisible formatting character becomes U+FFFD, so
``ESC[31m`` shows as ``\N{REPLACEMENT CHARACTER}[31m`` and a user can see the name was tampered with.
Markup (``[bold]``, backticks, pipes) is left alone here: it is plain text, and each renderer shows text as
text (Rich ``Text``, JSON and CSV quoting, a fenced block in Markdown).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Final

REPLACEMENT: Final = "\N{REPLACEMENT CHARACTER}"
ELLIPSIS: Final = "\N{HORIZONTAL ELLIPSIS}"
MAX_NAME: Final = 255
"""Longest name kept (a DNS name's limit); longer text is cut and ends in an ellipsis."""
MAX_ITEMS: Final = 64
"""Most entries kept of one list or mapping in an RDAP answer."""
MAX_DEPTH: Final = 8

# Categories that are never shown as themselves: controls (C0, DEL, C1), format characters (bidi
# embeddings, overrides and isolates, zero-width joiners, soft hyphens), surrogates left by a lossy decode,
# private-use and unassigned code points.
_HIDDEN: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_SPACES: Final = frozenset({"Zs", "Zl", "Zp"})


def _visible(char: str) -> str:
    if char.isspace():
        return " "
    category = unicodedata.category(char)
    if category in _SPACES:
        return " "
    return REPLACEMENT if category in _HIDDEN else char


def inert_text(value: str | bytes, limit: int = MAX_NAME) -> str:
    """``value`` as one printable line of at most ``limit`` characters.

    Bytes are decoded as UTF-8 with invalid sequences replaced; whitespace of any kind (newlines, tabs)
    becomes one space; every other control or invisible formatting character becomes U+FFFD.
    """
    text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
    head = text[: 2 * limit + 2]  # enough to fill ``limit`` even after spaces collapse; skip the rest
    if head.isprintable() and "  " not in head and head == head.strip():
        clean = head
    else:
        clean = " ".join("".join(map(_visible, head)).split())
    if len(clean) > limit or len(text) > len(head):
        return clean[: max(0, limit - 1)].rstrip() + ELLIPSIS
    return clean


def inert_name(value: str | bytes | None, limit: int = MAX_NAME) -> str | None:
    """:func:`inert_text` for an optional name; empty or blank becomes ``None``."""
    if value is None:
        return None
    return inert_text(value, limit) or None


def inert_tree(value: object, depth: int = 0) -> object:
    """A JSON-like answer (RDAP) with every string, key or value, made inert and every container bounded.

    Numbers, booleans and ``None`` pass; anything else becomes its inert ``str``.
    """
    if isinstance(value, str | bytes):
        return inert_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth >= MAX_DEPTH:
        return None
    if isinstance(value, Mapping):
        items = list(value.items())[:MAX_ITEMS]
        return {inert_text(str(key)): inert_tree(item, depth + 1) for key, item in items}
    if isinstance(value, list | tuple):
        return [inert_tree(item, depth + 1) for item in value[:MAX_ITEMS]]
    return inert_text(str(value))
