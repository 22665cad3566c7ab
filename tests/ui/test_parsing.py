"""What the input screens accept: the same rules a user knows from traceroute's options."""

from __future__ import annotations

import pytest

from tuitrace.ui.format import fmt_duration, fmt_ms, fmt_seconds
from tuitrace.ui.parsing import next_sendwait, parse_interval, parse_port, parse_sendwait_text


@pytest.mark.parametrize("text", ["0", "70000", "65536", "abc", "-1", "1.5", "\uff18\uff10"])
def test_bad_ports_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"port|1-65535"):
        parse_port(text)


@pytest.mark.parametrize(("text", "port"), [("1", 1), (" 389 ", 389), ("65535", 65535), ("", None)])
def test_good_ports(text: str, port: int | None) -> None:
    assert parse_port(text) == port


@pytest.mark.parametrize(("text", "seconds"), [("0", 0.0), ("0.05", 0.05), ("10", 10.0), ("11", 0.011),
                                               ("500", 0.5), ("10000", 10.0)])
def test_sendwait_above_ten_means_milliseconds(text: str, seconds: float) -> None:
    assert parse_sendwait_text(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["-1", "abc", "nan", "inf", "20000", ""])
def test_bad_sendwaits(text: str) -> None:
    with pytest.raises(ValueError):
        parse_sendwait_text(text)


@pytest.mark.parametrize("text", ["0", "-1", "x", "0.0001", "5000"])
def test_bad_intervals(text: str) -> None:
    with pytest.raises(ValueError):
        parse_interval(text)


def test_sendwait_steps_go_up_and_down_and_stop_at_the_ends() -> None:
    assert next_sendwait(0.0, 1) == 0.001
    assert next_sendwait(0.003, 1) == 0.005
    assert next_sendwait(0.003, -1) == 0.002
    assert next_sendwait(0.0, -1) == 0.0
    assert next_sendwait(5.0, 1) == 5.0
    assert next_sendwait(5.0, -1) == 1.0


def test_formats() -> None:
    assert fmt_ms(None) == ""
    assert fmt_ms(1.234) == "1.2"
    assert fmt_ms(0.043) == "0.04"
    assert fmt_ms(1234.5) == "1234"
    assert fmt_seconds(0) == "0"
    assert fmt_seconds(0.05) == "50 ms"
    assert fmt_seconds(2) == "2 s"
    assert fmt_duration(65) == "1:05"
    assert fmt_duration(3725) == "1:02:05"


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e9", "3601", "1e309"])
def test_intervals_must_be_finite_and_bounded(text: str) -> None:
    with pytest.raises(ValueError, match="interval must be"):
        parse_interval(text)


@pytest.mark.parametrize(("text", "message"), [("nan", "sendwait must be a finite number, not nan"),
                                               ("1e9", "sendwait must be ≤ 10000, not 1e9"),
                                               ("-1", "sendwait must be ≥ 0, not -1")])
def test_sendwait_messages_match_the_command_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_sendwait_text(text)
