"""The live screen's colours are Textual's themes: ``--theme`` or ``theme =`` in the configuration file names
one of the built-in ones. Checked here, where Textual is already loaded, so the command line stays free of it.
"""

from __future__ import annotations

from textual.theme import BUILTIN_THEMES


def theme_names() -> list[str]:
    return sorted(BUILTIN_THEMES)


def theme_problem(name: str) -> str | None:
    """Why ``name`` cannot be used, in a few words; ``None`` when it is a built-in theme."""
    if name in BUILTIN_THEMES:
        return None
    return f"no theme {name!r}; the themes are {', '.join(theme_names())}"
