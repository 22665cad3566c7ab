"""A recording made the way ``--record`` makes one: the real engine on a simulated path (virtual time, nothing
sent), a recorder on it, commands (keys) pressed while it runs, and the live report to compare with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.types import ProbeResult
from tuitrace.replay.recorder import Recorder, open_for_writing
from tuitrace.report.json import render_json
from tuitrace.report.text import render_text

SCENARIOS = Path(__file__).parents[3] / "assets" / "scenarios"


def record_simulated(path: Path, scenario_name: str = "ecmp_udp_classic_v4.toml", rounds: int = 30,
                     keys: bool = True) -> tuple[str, str]:
    """Record a run to ``path``; the live JSON and text reports of the same run. With ``keys``, the run
    switches to fixed UDP, changes sendwait and interval, switches back and resets, as keys would."""
    scenario = load_scenario(SCENARIOS / scenario_name)
    config = TraceConfig(target=scenario.target, family=scenario.family, host="sim",
                         setting=Setting(Protocol.UDP, None), interval=0.2, wait=1.0, count=rounds)
    engine = Engine(config, SimNetwork(scenario))
    recorder = Recorder(open_for_writing(path), config, engine.clock, "simulated", "tuitrace sim")
    engine.set_recorder(recorder)
    if keys:
        engine.add_listener(_pressing_keys(engine))
    engine.run()
    engine.stop()
    snapshot = engine.snapshot()
    recorder.close(snapshot)
    return render_json(snapshot, None, engine.events()), render_text(snapshot, None, True, engine.events())


def _pressing_keys(engine: Engine) -> Callable[[ProbeResult], None]:
    seen = [0]
    presses: dict[int, Callable[[], None]] = {
        40: lambda: engine.set_sendwait(0.01),
        80: lambda: engine.set_protocol(Protocol.UDP, 53),
        120: lambda: engine.set_interval(0.3),
        160: lambda: engine.set_protocol(Protocol.UDP, None),
        200: engine.reset,  # the statistics of the setting the report shows start again
        230: lambda: _pause_and_resume(engine),
    }

    def listener(result: ProbeResult) -> None:
        seen[0] += 1
        press = presses.get(seen[0])
        if press is not None:
            press()

    return listener


def _pause_and_resume(engine: Engine) -> None:
    """Both at once: paused, no result would come to press resume."""
    engine.pause()
    engine.resume()
