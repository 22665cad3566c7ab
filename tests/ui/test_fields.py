"""Fields: --fields / o with mtr's -o letters or names, j for the jitter fields, severity colours."""

from __future__ import annotations

import re

import pytest

from tuitrace.ui.app import TraceApp
from tuitrace.ui.format import SEVERITY_STYLES, loss_severity, rtt_severity
from tuitrace.ui.options import UiOptions
from tuitrace.ui.widgets.hop_columns import DEFAULT_KEYS, JITTER_KEYS, fields_text, parse_fields, plan_columns

from .fake_engine import FakeEngine
from .helpers import cells, table


def test_letters_and_names_give_the_same_fields() -> None:
    assert parse_fields("LS NABWV") == ("loss", "snt", "last", "avg", "best", "wrst", "stdev")
    named = ("loss", "rcv", "drop", "median", "p95", "gmean")
    assert parse_fields("loss, rcv,drop,median,p95,gmean") == named
    assert parse_fields("avg") == ("avg",)
    assert fields_text(parse_fields("DRAGJMXI")) == "DRAGJMXI"


@pytest.mark.parametrize(("text", "message"), [
    ("LSZ", "unknown field letter 'Z'"),
    ("loss,speed", "unknown field 'speed'"),
    ("LL", "field L (loss) is named twice"),
    ("  ", "name at least one field"),
])
def test_bad_fields_are_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_fields(text)


def test_columns_follow_the_fields_order_and_the_first_win_when_narrow() -> None:
    keys = [c.key for c in plan_columns(200, False, parse_fields("PEAH"))]
    assert keys == ["ttl", "host", "p95", "median", "avg", "hist"]
    narrow = [c.key for c in plan_columns(40, False, parse_fields("PEAV"))]
    assert narrow == ["ttl", "host", "p95", "median"]


def test_severity_thresholds() -> None:
    assert [loss_severity(p) for p in (0.0, 0.1, 4.9, 5.0, 100.0)] == [0, 1, 1, 2, 2]
    assert [rtt_severity(v) for v in (None, 99.9, 100.0, 249.0, 250.0)] == [0, 0, 1, 1, 2]
    ok, warning, problem = SEVERITY_STYLES
    assert "bold" in warning and "underline" in problem and not ok  # apart without colour too


async def test_fields_option_and_new_columns(engine: FakeEngine) -> None:
    app = TraceApp(engine, UiOptions(fields=parse_fields("LDRSEPG")))
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert [c.key for c in table(app).columns_shown] == [
            "ttl", "host", "loss", "drop", "rcv", "snt", "median", "p95", "gmean"]
        hop4 = cells(app, "hop-4")  # the fake loses every 4th probe at hop 4
        assert (hop4["snt"], hop4["rcv"], hop4["drop"], hop4["loss"]) == ("6", "5", "1", "16.7%")
        assert hop4["median"] and hop4["p95"] and hop4["gmean"]


async def test_loss_cell_gets_the_problem_colour(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        row = next(r for r in table(app).rows_shown if r.key == "hop-4")
        keys = [c.key for c in table(app).columns_shown]
        assert row.cells[keys.index("loss")].style == SEVERITY_STYLES[2]


async def test_o_picks_fields_and_j_toggles_the_jitter_fields(engine: FakeEngine) -> None:
    app = TraceApp(engine)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("j")
        await pilot.pause()
        assert tuple(c.key for c in table(app).columns_shown)[2:] == JITTER_KEYS
        await pilot.press("j")
        await pilot.pause()
        assert tuple(c.key for c in table(app).columns_shown)[2:] == DEFAULT_KEYS
        await pilot.press("o", "ctrl+a", "ctrl+k", *"AZ", "enter")
        await pilot.pause()
        assert "unknown field letter 'Z'" in str(app.screen.query_one("#ask-error").render())
        await pilot.press("backspace", "E", "enter")
        await pilot.pause()
        assert [c.key for c in table(app).columns_shown] == ["ttl", "host", "avg", "median"]
