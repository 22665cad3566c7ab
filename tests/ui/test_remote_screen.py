"""The screen on a remote trace (``--from``): the same app, its table filled from the remote ``--stream``,
its keys sent back as commands. ssh is replaced by a local shell running the remote words, as in
tests/unit/vantage; everything else is real."""

from __future__ import annotations

from tests.unit.vantage.test_remote import HERE, TARGET, WORDS, local_shell
from tuitrace.ui.app import TraceApp
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
