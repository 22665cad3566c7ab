"""``--record``, ``--replay`` and ``--demo``: a run written down as it goes, and played back later.

Replay sits *beside* the ``Network`` seam, not behind it. A network back-end that served a recording would
have to reproduce every clock read, every send time and every decoded reply packet in the order the
engine's loop asked for them, or the tracer would decide differently and the replay drift away from the
original; and it could only go forward in real time. What the statistics, the path view and the event
detector are built from is the engine's stream of probe results (with the time the engine saw each batch),
the commands that changed the settings, and the tracer's path summary. The engine hands exactly that to a
recorder (:mod:`tuitrace.timeline.recording`); :class:`~tuitrace.replay.engine.ReplayEngine` feeds it back
into the same ``StatsBook`` and ``Timeline`` and implements the same ``EngineControl`` as the live engine, so
the TUI and the reports cannot tell the difference, no socket is opened and no privilege is needed. Going
back a step is rebuilding from the start, which a file of results makes cheap.

* :mod:`.format` — the JSON Lines records and their one encoding;
* :mod:`.recorder` — writes a run as it goes (flushed every second and when a stop signal arrives);
* :mod:`.reader` — reads a recording, stopping at the first damaged line and saying where;
* :mod:`.engine` — the replay: the whole recording for a report, or paced for the screen.
"""
