"""The theme set in the configuration file is the one the live screen draws with (Pilot, fake engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.theme import BUILTIN_THEMES

from tuitrace.cli import invocation_from_args, parse_with_settings
from tuitrace.errors import TuitraceError
from tuitrace.run import check_theme
from tuitrace.ui.app import TraceApp
from tuitrace.ui.options import UiOptions

from .fake_engine import FakeEngine


def options_from(tmp_path: Path, text: str) -> UiOptions:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    words = ["--config", str(path), "127.0.0.1"]
    ns = parse_with_settings(words, {})
    assert ns is not None
    return invocation_from_args(ns, words, environ={}, warn=lambda _: None).ui


async def test_a_theme_from_the_file_applies(tmp_path: Path) -> None:
    options = options_from(tmp_path, 'theme = "nord"\n')
    app = TraceApp(FakeEngine(), options)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "nord"
        nord = BUILTIN_THEMES["nord"].background
        assert app.get_css_variables()["background"] == nord
        assert app.screen.styles.background.hex.lower() == str(nord).lower()


async def test_without_a_theme_textuals_default_stays(tmp_path: Path) -> None:
    app = TraceApp(FakeEngine(), options_from(tmp_path, "interval = 2\n"))
    async with app.run_test():
        assert app.theme == "textual-dark"


def test_an_unknown_theme_names_the_key_and_the_file(tmp_path: Path) -> None:
    options = options_from(tmp_path, 'theme = "neon"\n')
    with pytest.raises(TuitraceError, match=r"config.toml: theme: no theme 'neon'; the themes are .*nord"):
        check_theme(options.theme)
    with pytest.raises(TuitraceError, match=r"^--theme: no theme 'neon'"):
        check_theme("neon")
    check_theme("gruvbox")
