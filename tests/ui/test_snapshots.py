"""Pictures of the main screens from the fake engine, compared with the approved ones.

Update after an intended change with ``pytest tests/ui --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from tuitrace.config import Protocol
from tuitrace.ui.app import TraceApp
from tuitrace.ui.options import UiOptions

from .fake_engine import FakeEngine
from .fakes import FakeEnricher, Info

SnapCompare = Callable[..., bool]


def lab_engine() -> FakeEngine:
    engine = FakeEngine()
    engine.advance(12)
    engine.set_protocol(Protocol.TCP, 389)
    engine.advance(3)
    engine.set_protocol(Protocol.ICMP, None)
    engine.commands.clear()
    return engine


def test_main_screen_80x24(snap_compare: SnapCompare) -> None:
    assert snap_compare(TraceApp(lab_engine()), terminal_size=(80, 24))


def test_main_screen_120x40_with_names_and_as(snap_compare: SnapCompare) -> None:
    enricher = FakeEnricher({
        "10.0.1.1": Info(hostname="gw.lab.example", asn=64500, as_name="LAB-EDGE", country="NL"),
        "10.0.9.2": Info(hostname="dst.lab.example", asn=64501, as_name="LAB-DST", city="Delft",
                         country="NL"),
    })
    app = TraceApp(lab_engine(), UiOptions(enricher=enricher, mode_label="raw"))
    assert snap_compare(app, terminal_size=(120, 40))  # the AS / place column fits: it shows without z


def test_filtered_tcp_port_shows_x_annotation_120x40(snap_compare: SnapCompare) -> None:
    assert snap_compare(TraceApp(lab_engine()), terminal_size=(120, 40), press=["t", "P", "ctrl+a", "ctrl+k",
                                                                              "3", "8", "9", "enter"])


def test_help_screen(snap_compare: SnapCompare) -> None:
    assert snap_compare(TraceApp(lab_engine()), terminal_size=(100, 32), press=["question_mark"])


def test_port_input_with_error(snap_compare: SnapCompare) -> None:
    app: Any = TraceApp(lab_engine())
    assert snap_compare(app, terminal_size=(80, 24), press=["t", "P", "ctrl+a", "ctrl+k", "0", "enter"])


def test_small_window_scrolled_to_the_bottom_80x10(snap_compare: SnapCompare) -> None:
    assert snap_compare(TraceApp(lab_engine()), terminal_size=(80, 10), press=["ctrl+end"])


def test_new_protocol_after_scrolling_starts_at_the_top_80x10(snap_compare: SnapCompare) -> None:
    engine = lab_engine()

    async def scroll_then_switch(pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+end", "t")
        engine.advance(2)
        app: Any = pilot.app
        app.refresh_view()
        await pilot.pause()

    assert snap_compare(TraceApp(engine), terminal_size=(80, 10), run_before=scroll_then_switch)


def test_detail_view_of_an_ecmp_hop_one_owner_known_one_looking_up_100x40(snap_compare: SnapCompare) -> None:
    enricher = FakeEnricher({
        "10.0.2.1": Info(hostname="r2a.lab.example", asn=64500, as_name="LAB-CORE", prefix="10.0.0.0/8",
                         registry="ripencc", city="Delft", country="NL", label="private (RFC 1918)"),
    })
    app = TraceApp(lab_engine(), UiOptions(enricher=enricher, mode_label="raw"))

    async def select_hop_2_and_answer_one(pilot: Pilot[Any]) -> None:
        await pilot.press("down", "down", "enter")
        enricher.answer("10.0.2.1", {
            "network": {"handle": "NET-10-0", "name": "LAB-NET", "cidr": "10.0.0.0/8", "type": "ASSIGNED PA",
                        "country": "NL"},
            "entities": ["LAB-ORG"],
            "objects": {"LAB-ORG": {"roles": ["registrant"], "contact": {"name": "Lab Networks Ltd",
                                                                         "kind": "org"}}},
        })
        for _ in range(3):
            await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 40), run_before=select_hop_2_and_answer_one)


def test_findings_list_of_a_filtered_port_120x40(snap_compare: SnapCompare) -> None:
    assert snap_compare(TraceApp(lab_engine()), terminal_size=(120, 40),
                        press=["t", "P", "ctrl+a", "ctrl+k", "3", "8", "9", "enter", "F"])
