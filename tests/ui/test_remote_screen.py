"""The screen on a remote trace (``--from``): the same app, its table filled from the remote ``--stream``,
its keys sent back as commands. ssh is replaced by a local shell running the remote words, as in
tests/unit/vantage; everything else is real."""

from __future__ import annotations

from tests.unit.vantage.test_remote import HERE, TARGET, WORDS, local_shell
from tuitrace.config import Protocol
from tuitrace.ui.app import TraceApp
from tuitrace.ui.tabs import MultiTraceApp, Target
from tuitrace.vantage.remote import RemoteEngine
from tuitrace.vantage.ssh import Vantage

from .helpers import cells, header, row_keys
from .test_real_engine import until


async def test_the_screen_shows_the_remote_trace_and_its_keys_reach_the_remote_side() -> None:
    engine = RemoteEngine(Vantage("lab-host", "ops"), WORDS, host=TARGET, remote_command=HERE,
                          spawn=local_shell)
    app = TraceApp(engine)
    engine.start()  # as run_tui does
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await until(pilot, app, "the remote path", lambda: "hop-4" in row_keys(app))
            assert TARGET in cells(app, "hop-4")["host"]
            assert f"{TARGET} from ops@lab-host" in header(app)
            await pilot.press("t")
            await until(pilot, app, "TCP from the remote side", lambda: "TCP" in header(app))
    finally:
        engine.stop()


async def test_a_key_on_the_overview_reaches_every_remote_side_and_both_trace_anew() -> None:
    """Two vantage points, each a real ``--stream`` behind the (replaced) ssh: ``t`` on the overview turns
    both to TCP, each remote side says so back, and both show TCP's own statistics from the start."""
    engines = [RemoteEngine(Vantage(name), WORDS, host=TARGET, remote_command=HERE, spawn=local_shell)
               for name in ("jump1", "jump2")]
    app = MultiTraceApp([Target(f"{TARGET} from {e.vantage.label}", e, vantage=e.vantage.label)
                         for e in engines])
    for engine in engines:
        engine.start()
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await until(pilot, app, "both reached", lambda: all(e.snapshot().reached for e in engines))
            await pilot.press("t")
            await until(pilot, app, "TCP on both remote sides",
                        lambda: all(e.snapshot().setting.protocol is Protocol.TCP for e in engines))
            await until(pilot, app, "TCP rounds on both",
                        lambda: all(e.snapshot().rounds >= 1 for e in engines))
    finally:
        for engine in engines:
            engine.stop()
    for engine in engines:
        snap = engine.snapshot()
        assert [s.protocol for s in snap.settings] == [Protocol.ICMP, Protocol.TCP]
        assert snap.hops and all(h.sent <= snap.rounds + 1 for h in snap.hops)  # TCP's own counts
