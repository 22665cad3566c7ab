"""Compare mode on screen, on the real engine over a simulated path where hop 2 rejects TCP/389.

The engine traces ICMP and TCP/389 in the same rounds in its own thread; the screen must show each hop
once with both settings' numbers, mark the hop where TCP/389 is blocked, and say so in the verdict.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.geometry import Region
from textual.widgets import Static

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.compare import CompareEngine
from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import RealtimeSimNetwork
from tuitrace.ui.compare import CompareApp

SCENARIO = Path(__file__).parents[1] / "scenarios" / "reject_tcp_port_v4.toml"
SETTINGS = (Setting(Protocol.ICMP, None), Setting(Protocol.TCP, 389))
PATIENCE = 300


def compare_engine(count: int | None = 4) -> CompareEngine:
    scenario = load_scenario(SCENARIO)
    network = RealtimeSimNetwork(scenario)
    config = replace(TraceConfig(target=scenario.target, family=4, count=count, interval=0.05, wait=0.5,
                                 max_ttl=6), setting=SETTINGS[0])
    return CompareEngine(config, network, SETTINGS)


def screen_text(app: CompareApp) -> str:
    widget = app.query_one("#compare", Static)
    width, height = widget.size
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height)))


async def test_the_compare_table_marks_the_blocked_hop_and_gives_the_verdict() -> None:
    engine = compare_engine()
    app = CompareApp(engine, SETTINGS)
    engine.start()
    try:
        async with app.run_test(size=(150, 30)) as pilot:
            for _ in range(PATIENCE):
                app.refresh_view()
                if app.comparison is not None and app.comparison.divergences and all(
                        engine.snapshot(s).rounds == 4 for s in SETTINGS):
                    break
                await pilot.pause(0.05)
            await pilot.pause()
            text = screen_text(app)
            lines = text.splitlines()
            assert lines[0].split() == ["ICMP", "TCP/389"]  # a column group per setting
            assert lines[1].split() == ["TTL", *["Loss%", "Avg", "Responder"] * 2, "Marks"]
            hop3 = next(line for line in lines if line.lstrip().startswith("3."))
            assert "203.0.113.1 !X" in hop3 and "TCP/389 blocked (!X)" in hop3
            assert hop3.split()[:4] == ["3.", "0.0%", hop3.split()[2], "203.0.113.5"]  # ICMP goes on
            verdict = "TCP/389 is blocked at hop 3 (!X, administratively prohibited) by 203.0.113.1."
            assert f"Verdict: {verdict}" in text
    finally:
        engine.stop()


async def test_keys_add_and_remove_settings_while_it_runs() -> None:
    engine = compare_engine(count=None)
    app = CompareApp(engine, SETTINGS)
    udp = Setting(Protocol.UDP, None)
    engine.start()
    try:
        async with app.run_test(size=(150, 30)) as pilot:
            await pilot.press("u")
            for _ in range(PATIENCE):
                if engine.compared == (*SETTINGS, udp) and engine.snapshot(udp).rounds >= 2:
                    break
                await pilot.pause(0.05)
            app.refresh_view()
            await pilot.pause()
            assert engine.snapshot(udp).hops[0].received >= 1
            assert screen_text(app).splitlines()[0].split() == ["ICMP", "TCP/389", "UDP", "33434+n"]
            await pilot.press("i")  # ICMP out: TCP/389 is the reference now, ICMP's rounds stop growing
            for _ in range(PATIENCE):
                if engine.compared == (SETTINGS[1], udp):
                    break
                await pilot.pause(0.05)
            await pilot.pause(0.6)  # the probes in flight resolve (-w 0.5)
            stopped, going = engine.snapshot(SETTINGS[0]).rounds, engine.snapshot(udp).rounds
            await pilot.pause(0.3)  # six rounds of -i 0.05
            assert engine.snapshot(SETTINGS[0]).rounds == stopped
            assert engine.snapshot(udp).rounds > going
            assert engine.snapshot().setting == SETTINGS[1]
    finally:
        engine.stop()
