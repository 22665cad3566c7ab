"""``python -m bench.record_overhead``: what ``--record`` costs: CPU per probe (a ratio), bytes per probe.

The engine runs on the simulated network (virtual clock, full speed, no sockets: the cheapest probe there
is, so the recorder's share is at its largest) for the same rounds three ways per trial: without a
recorder, recording to a plain file, and recording to a ``.gz`` file. The order rotates from trial to trial
and the fastest run of each kind is compared (on a shared 2-core machine other work only ever adds CPU
time, and medians moved by ±10% from run to run); the goals are under 10% more CPU per probe and under
100 bytes per probe before gzip. The path is the ECMP scenario with classic UDP (responders vary, so the
records are not all alike). Because the A/B figure moves with the machine's other load, the recorder's own
share is also measured inside single runs (``--record`` to a ``.gz`` file): the thread CPU time spent in
its methods and in closing the file, against the run's whole CPU time, both from the same run. Absolute
microseconds are context only (they depend on the machine).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.replay.recorder import Recorder, open_for_writing

SCENARIO = Path(__file__).parents[1] / "assets" / "scenarios" / "ecmp_udp_classic_v4.toml"
ROUNDS, TRIALS = 2000, 9
KINDS = ["bare", "plain", "gzip"]
CPU_GOAL, BYTES_GOAL = 1.10, 100


def run(path: Path | None) -> tuple[float, int, int]:
    """CPU seconds per probe, probes sent, and bytes written (0 without a recording)."""
    scenario = load_scenario(SCENARIO)
    config = TraceConfig(target=scenario.target, family=scenario.family, count=ROUNDS, interval=0.1, wait=1.0,
                         setting=Setting(Protocol.UDP, None))
    engine = Engine(config, SimNetwork(scenario))
    recorder = None
    started = time.process_time()
    if path is not None:
        recorder = Recorder(open_for_writing(path), config, engine.clock, "simulated", "bench")
        engine.set_recorder(recorder)
    engine.run()
    if recorder is not None:
        recorder.close(engine.snapshot())
    spent = time.process_time() - started
    sent = engine.snapshot().probes_sent
    return spent / sent, sent, path.stat().st_size if path is not None else 0


class TimedRecorder(Recorder):
    """The recorder, adding up the CPU time its methods take (and the file's closing)."""

    spent_ns = 0
    calls = 0

    def results(self, *args: Any) -> None:
        started = time.thread_time_ns()
        super().results(*args)
        self.spent_ns += time.thread_time_ns() - started
        self.calls += 1

    def progress(self, *args: Any) -> None:
        started = time.thread_time_ns()
        super().progress(*args)
        self.spent_ns += time.thread_time_ns() - started
        self.calls += 1

    def close(self, *args: Any) -> None:
        started = time.thread_time_ns()
        super().close(*args)
        self.spent_ns += time.thread_time_ns() - started


def clock_cost_ns() -> float:
    """What one pair of ``thread_time_ns`` calls costs (a system call each): taken off each timed call."""
    calls = 20000
    started = time.thread_time_ns()
    for _ in range(calls):
        time.thread_time_ns()
        time.thread_time_ns()
    return (time.thread_time_ns() - started) / calls


def share_in_one_run(path: Path) -> float:
    """The recorder's CPU time over the rest of one run's CPU time (the timing's own cost taken off)."""
    scenario = load_scenario(SCENARIO)
    config = TraceConfig(target=scenario.target, family=scenario.family, count=ROUNDS, interval=0.1, wait=1.0,
                         setting=Setting(Protocol.UDP, None))
    engine = Engine(config, SimNetwork(scenario))
    started = time.thread_time_ns()
    recorder = TimedRecorder(open_for_writing(path), config, engine.clock, "simulated", "bench")
    engine.set_recorder(recorder)
    engine.run()
    recorder.close(engine.snapshot())
    whole = time.thread_time_ns() - started
    timing = recorder.calls * clock_cost_ns()
    return (recorder.spent_ns - timing) / (whole - recorder.spent_ns - timing)


def main() -> None:
    plain_cpu: list[float] = []
    gzip_cpu: list[float] = []
    bare_cpu: list[float] = []
    with tempfile.TemporaryDirectory() as work:
        plain, packed = Path(work) / "run.jsonl", Path(work) / "run.jsonl.gz"
        for trial in range(TRIALS):
            for kind in KINDS[trial % 3:] + KINDS[: trial % 3]:  # each kind first, second and third in turn
                if kind == "bare":
                    bare_cpu.append(run(None)[0])
                elif kind == "plain":
                    cpu, sent, plain_bytes = run(plain)
                    plain_cpu.append(cpu)
                else:
                    cpu, _, gzip_bytes = run(packed)
                    gzip_cpu.append(cpu)
    bare = min(bare_cpu)
    for label, values in (("plain file", plain_cpu), (".gz file", gzip_cpu)):
        ratio = min(values) / bare
        print(f"CPU per probe recording to a {label}: {min(values) * 1e6:.1f} us vs "
              f"{bare * 1e6:.1f} us without; ratio {ratio:.3f} "
              f"(goal < {CPU_GOAL:.2f}: {'met' if ratio < CPU_GOAL else 'NOT met'})")
    with tempfile.TemporaryDirectory() as work:
        share = statistics.median(share_in_one_run(Path(work) / "run.jsonl.gz") for _ in range(TRIALS))
    met = "met" if share < CPU_GOAL - 1 else "NOT met"
    print(f"the recorder's own CPU (.gz file), measured within each run: {share * 100:.1f}% of the rest of "
          f"the run (median of {TRIALS}; goal < {(CPU_GOAL - 1) * 100:.0f}%: {met})")
    per_probe = plain_bytes / sent
    print(f"bytes per probe: {per_probe:.1f} before gzip (goal < {BYTES_GOAL}: "
          f"{'met' if per_probe < BYTES_GOAL else 'NOT met'}), {gzip_bytes / sent:.1f} gzip-compressed "
          f"({sent} probes)")


if __name__ == "__main__":
    main()
