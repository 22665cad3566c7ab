"""What the compare table and the compare report both read from one hop of a comparison: do the settings'
main responders differ, which one do they share, does each setting need a responder column."""

from __future__ import annotations

from tuitrace.config import Protocol, Setting
from tuitrace.diagnose.compare import CompareHop, Comparison, SettingHop


def cell(*responders: str, annotations: tuple[str, ...] = ()) -> SettingHop:
    return SettingHop(responders=responders, sent=10, received=10 if responders else 0, loss_pct=0.0,
                      avg_ms=1.0, annotations=annotations, reached=False)


def comparison(*hops: CompareHop) -> Comparison:
    return Comparison(settings=(Setting(Protocol.ICMP, None), Setting(Protocol.TCP, 443)), hops=hops,
                      divergences=(), verdict="")


def test_responders_differ_by_their_main_responder_only() -> None:
    assert not CompareHop(1, (cell("10.0.0.1", "10.0.0.2"), cell("10.0.0.1")), ()).responders_differ
    assert CompareHop(1, (cell("10.0.0.1"), cell("10.0.0.9")), ()).responders_differ
    assert not CompareHop(1, (cell("10.0.0.1"), cell(), None), ()).responders_differ  # silence is no router


def test_the_shared_responder_is_the_first_that_answered() -> None:
    assert CompareHop(2, (cell(), cell("10.0.0.2")), ()).shared_responder == "10.0.0.2"
    assert CompareHop(2, (None, cell()), ()).shared_responder == "???"


def test_a_responder_column_per_setting_when_routers_differ_or_a_setting_has_marks() -> None:
    same = CompareHop(1, (cell("10.0.0.1"), cell("10.0.0.1")), ())
    assert not comparison(same).responder_per_setting
    assert comparison(same, CompareHop(2, (cell("10.0.0.2"), cell("10.0.0.3")), ())).responder_per_setting
    marked = CompareHop(2, (cell("10.0.0.2"), cell("10.0.0.2", annotations=("!X",))), ())
    assert comparison(same, marked).responder_per_setting
