"""``TERM=dumb`` asks for no colour: honour it the way Textual honours ``NO_COLOR``.

Textual reads ``NO_COLOR`` when an app is created and then draws in shades of grey (its ``Monochrome``
filter, so the selected row and the header still stand out). It does not look at ``TERM``: a dumb terminal
got 24-bit colour. The filter list has no public setter, so this adds the same filter Textual would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual.app import App
from textual.filter import Monochrome

NO_COLOUR_TERMINALS = frozenset({"dumb"})


def wants_no_colour(environ: Mapping[str, str]) -> bool:
    """True for ``TERM=dumb`` (``NO_COLOR`` is Textual's own business)."""
    return environ.get("TERM", "").strip().lower() in NO_COLOUR_TERMINALS


def honour_no_colour_terminal(app: App[Any], environ: Mapping[str, str]) -> None:
    """Draw ``app`` in greys, as with ``NO_COLOR``, when the terminal says it has no colours."""
    if wants_no_colour(environ) and not app.no_color:
        app.no_color = True
        app._filters.append(Monochrome())
