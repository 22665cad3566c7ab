"""Running a screen until the user quits, the same way for one trace, compare mode and several targets.

Stop signals leave the screen the normal way (the terminal is restored); what the report needs is taken
while the engines still run, the engines are stopped, and then, if asked, the report is printed, marked
partial when a signal ended the run. Three screens did this with three copies of the same lines.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from textual.app import App

from tuitrace.lifecycle import Interrupted, StopSignals, mark_partial_text, write_out

Final = TypeVar("Final")


class Runnable(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


def run_screen(
    app: App[int],
    engines: Sequence[Runnable],
    final: Callable[[], Final],
    report: Callable[[Final], tuple[str, int]] | None,
) -> int:
    """Start ``engines``, run ``app`` until the user quits, take ``final()``, stop the engines; then print
    ``report(final)`` (its text and the rounds done, for the partial note) unless it is ``None``. Returns
    the exit status: the app's, or 128 + the signal that ended the run."""
    with StopSignals() as signals:  # SIGTERM, SIGHUP, SIGINT: leave the screen the normal way, then report
        for engine in engines:
            engine.start()
        try:
            with signals.exit_loop(lambda status: app.exit(return_code=status)):
                app.run()
        except Interrupted:
            pass  # before the app's loop ran or after it ended: nothing on screen to restore
        finally:
            outcome = final()
            for engine in engines:
                engine.stop()  # a loss burst still going is closed: a report reads the events after this
        if report is not None:
            text, rounds = report(outcome)
            write_out(mark_partial_text(text, signals.partial_note(rounds)) + "\n")
    return signals.status(app.return_code or 0)
