"""How a run ends: SIGINT, SIGTERM and SIGHUP stop it cleanly, and what was measured is still printed.

A troubleshooting tool is often stopped from outside: ``timeout 60 tuitrace --report``, a closed SSH session
(SIGHUP), a service manager (SIGTERM). Python's defaults let SIGTERM and SIGHUP kill the process at once: the
report the user asked for is never printed and a full-screen UI leaves the terminal in the alternate screen
with mouse tracking on. Here the three signals are handled alike:

* headless, the first one ends the probing loop like Ctrl+C does (an :class:`Interrupted` raised where the
  main thread is), so the report of the rounds done so far is printed, marked partial;
* in the live screen, it asks the app's event loop to exit, so Textual restores the terminal first;
* once the run is finishing (printing the report, closing sockets), further signals are ignored, so a
  second one cannot cut the report in half. Finishing is bounded (lookups get a few seconds at most).

The exit status is 128 + the signal number, as shells report a process killed by it.

Files written as the run goes (``--record``) register a flush with :func:`flush_at_finish`: when a run
finishes, by a signal or not, what they buffered is on disk before the report is printed. The flush is not
called from the signal handler itself, which may interrupt the very write it would flush.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any, Final, TextIO

from tuitrace.errors import TuitraceError

STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def exit_status(signum: int) -> int:
    """The status a shell shows for a process ended by ``signum``."""
    return 128 + signum


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


class Interrupted(BaseException):
    """A stop signal arrived while the main thread was busy probing.

    A ``BaseException`` like ``KeyboardInterrupt``, so no ``except Exception`` on the way swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal_name(signum))
        self.signum = signum


Handler = Callable[[int], None]

_finishers: list[Callable[[], None]] = []
"""Flushes to run when a run finishes (see :func:`flush_at_finish`)."""


@contextmanager
def flush_at_finish(flush: Callable[[], None]) -> Iterator[None]:
    """While inside, :meth:`StopSignals.finish` calls ``flush`` (a recording's, say)."""
    _finishers.append(flush)
    try:
        yield
    finally:
        _finishers.remove(flush)


def run_finishers() -> None:
    """Flush what registered; a flush that fails (a full disk) does not stop the report."""
    for flush in tuple(_finishers):
        with contextlib.suppress(OSError, ValueError):
            flush()


def _raise(signum: int) -> None:
    raise Interrupted(signum)


def _ignore(signum: int) -> None:
    """Finishing already: the report is on its way out."""


@dataclass
class StopSignals:
    """Catches SIGINT, SIGTERM and SIGHUP while it is entered (``with StopSignals() as signals:``).

    By default the first signal raises :class:`Interrupted` in the main thread; :meth:`exit_loop` turns it
    into a request to a running asyncio loop instead, and :meth:`finish` ignores signals from then on.
    Outside the main thread (where Python cannot set handlers) it does nothing."""

    received: int | None = None
    """The first stop signal that arrived before :meth:`finish`, if any."""
    _on_signal: Handler = _raise
    _previous: dict[int, Any] = field(default_factory=dict)

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None or self._on_signal is _ignore:
            return  # one signal is enough; the run is already on its way out
        self.received = signum
        self._on_signal(signum)

    def finish(self) -> None:
        """The run is ending anyway: from now on signals are ignored so the report gets out whole; what
        registered with :func:`flush_at_finish` is flushed."""
        self._on_signal = _ignore
        run_finishers()

    @contextmanager
    def exit_loop(self, request_exit: Callable[[int], object]) -> Iterator[None]:
        """While inside, a signal calls ``request_exit(status)`` in the asyncio loop running in this thread
        (an app then leaves its screen the normal way). With no loop running (before the app's loop starts
        or after it ended, so nothing is on screen) it raises :class:`Interrupted` as usual."""

        def forward(signum: int) -> None:
            import asyncio  # loaded by the app already; a report's start-up needs none

            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                raise Interrupted(signum) from None
            loop.call_soon_threadsafe(request_exit, exit_status(signum))

        self._on_signal = forward
        try:
            yield
        finally:
            self.finish()

    def status(self, normal: int = 0) -> int:
        """``normal``, or 128 + the signal that stopped the run."""
        return normal if self.received is None else exit_status(self.received)

    def partial_note(self, rounds: int) -> str:
        """One line that says the report is partial and why; empty when the run was not interrupted."""
        if self.received is None:
            return ""
        plural = "" if rounds == 1 else "s"
        return f"partial: interrupted by {signal_name(self.received)} after {rounds} round{plural}"


def mark_partial_text(report: str, note: str) -> str:
    """The text report with the partial note as its last line."""
    if not note:
        return report
    return report + ("" if report.endswith("\n") or not report else "\n") + note + "\n"


def mark_partial_json(document: str, signals: StopSignals) -> str:
    """The JSON report with ``"partial": true`` and ``"interrupted_by": "SIGTERM"`` added when the run was
    cut short (the renderer's document is otherwise unchanged)."""
    if signals.received is None:
        return document
    import json  # loaded by the report renderers already (before the privilege drop)

    fields = json.loads(document)
    fields["partial"] = True
    fields["interrupted_by"] = signal_name(signals.received)
    return json.dumps(fields, indent=2) + "\n"


def write_out(text: str, stream: TextIO | None = None) -> bool:
    """Write and flush; ``False`` when the terminal or pipe is gone (after SIGHUP, say) instead of a
    traceback. Standard output is then pointed at /dev/null so the interpreter's last flush stays quiet."""
    out = sys.stdout if stream is None else stream
    try:
        out.write(text)
        out.flush()
    except OSError:
        if stream is None:
            with contextlib.suppress(OSError, ValueError):  # not a real file (a test's capture, say)
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, sys.stdout.fileno())
                os.close(null)
        return False
    return True


def require_terminal(stdin: TextIO | None = None, stdout: TextIO | None = None,
                     stderr: TextIO | None = None) -> None:
    """The live screen needs a terminal to read keys from and to draw on (Textual draws on stderr).
    Without one it would write escape codes into a file and wait forever for keys: refuse, in one line."""
    streams = {"standard input": sys.stdin if stdin is None else stdin,
               "standard output": sys.stdout if stdout is None else stdout,
               "standard error": sys.stderr if stderr is None else stderr}
    for name, stream in streams.items():
        try:
            ok = stream.isatty()
        except (AttributeError, ValueError):  # None (the descriptor was closed at start) or closed
            ok = False
        if not ok:
            raise TuitraceError(f"the live screen needs a terminal and {name} is not one; "
                                "use --report, --json or --csv for a report without one")
