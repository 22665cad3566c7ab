"""``python -m bench.record_overhead``: what ``--record`` costs: CPU per probe (a ratio), bytes per probe.

The engine runs on the simulated network (virtual clock, full speed, no sockets: the cheapest probe there
is, so the recorder's share is at its largest) for the same rounds three ways per trial: without a
recorder, recording to a plain file, and recording to a ``.gz`` file. Trials alternate and the medians are
compared; the goals are under 10% more CPU per probe and under 100 bytes per probe before gzip. The path is
the ECMP scenario with classic UDP (responders vary, so the records are not all alike). Absolute
microseconds are context only (they depend on the machine).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.scenario import load_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.replay.recorder import Recorder, open_for_writing

SCENARIO = Path(__file__).parents[1] / "assets" / "scenarios" / "ecmp_udp_classic_v4.toml"
ROUNDS, TRIALS = 2000, 7
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


def main() -> None:
    plain_cpu: list[float] = []
    gzip_cpu: list[float] = []
    bare_cpu: list[float] = []
    with tempfile.TemporaryDirectory() as work:
        plain, packed = Path(work) / "run.jsonl", Path(work) / "run.jsonl.gz"
        for _ in range(TRIALS):
            cpu, sent, plain_bytes = run(plain)
            plain_cpu.append(cpu)
            cpu, _, gzip_bytes = run(packed)
            gzip_cpu.append(cpu)
            bare_cpu.append(run(None)[0])
    bare = statistics.median(bare_cpu)
    for label, values in (("plain file", plain_cpu), (".gz file", gzip_cpu)):
        ratio = statistics.median(values) / bare
        print(f"CPU per probe recording to a {label}: {statistics.median(values) * 1e6:.1f} us vs "
              f"{bare * 1e6:.1f} us without; ratio {ratio:.3f} "
              f"(goal < {CPU_GOAL:.2f}: {'met' if ratio < CPU_GOAL else 'NOT met'})")
    per_probe = plain_bytes / sent
    print(f"bytes per probe: {per_probe:.1f} before gzip (goal < {BYTES_GOAL}: "
          f"{'met' if per_probe < BYTES_GOAL else 'NOT met'}), {gzip_bytes / sent:.1f} gzip-compressed "
          f"({sent} probes)")


if __name__ == "__main__":
    main()
