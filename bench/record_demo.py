"""Makes ``assets/demo.jsonl.gz``, the recording ``tuitrace --demo`` replays, in the namespace lab.

Run as root: ``python -m bench.record_demo`` (about a minute). The lab is built, traced and removed; the
story is scripted so every feature shows and a rerun tells the same story (times differ by milliseconds):

* 0 s — classic UDP (a new flow per probe): hop 2 is ECMP (r2a and r2b both answer); r3 drops half of the
  time-exceeded replies it sends (reply-only loss: later hops lose nothing); r4 sends none (a silent hop);
* 14 s — r1 is pinned to r2a, then the trace switches to ICMP, one fixed flow (a ``setting`` event);
* 24 s — r1's route moves to r2b: a route change at hop 2 (``path_change``);
* 34 s — r1 drops everything for the destination for 2.5 s: an outage (``lost``, ``loss_burst``,
  ``reached``);
* 46 s — the end.

The tracing itself runs inside the lab's src namespace (``--inner``): the real engine on raw sockets with
the recorder of ``--record``, and the protocol switch made by the same engine command the ``i`` key sends.
Nothing leaves the lab: the target is the lab's destination and no lookup is made.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "assets" / "demo.jsonl.gz"
SWITCH_S, MOVE_S, OUTAGE_S, OUTAGE_LENGTH_S, END_S = 14.0, 24.0, 34.0, 2.5, 46.0
INTERVAL = 0.25


def inner(out: Path, target: str) -> None:
    """In src: trace ``target`` for ``END_S`` seconds, switching to ICMP at ``SWITCH_S``, recording."""
    from tuitrace.config import Protocol, Setting, TraceConfig
    from tuitrace.engine.engine import Engine
    from tuitrace.probe.backend import open_every_protocol, open_probing_network
    from tuitrace.replay.recorder import Recorder, open_for_writing

    config = TraceConfig(target=target, family=4, host="demo.lab", setting=Setting(Protocol.UDP, None),
                         interval=INTERVAL, wait=1.0, max_ttl=12)
    network = open_probing_network(config, None)
    engine = Engine(config, network)
    open_every_protocol(network)
    recorder = Recorder(open_for_writing(out), config, engine.clock, network.mode.value,
                        "tuitrace -P udp -i 0.25 -w 1 -m 12 demo.lab")
    engine.set_recorder(recorder)
    started = time.monotonic()
    engine.start()
    time.sleep(SWITCH_S - (time.monotonic() - started))
    engine.set_protocol(Protocol.ICMP, None)
    time.sleep(END_S - (time.monotonic() - started))
    engine.stop()
    recorder.close(engine.snapshot())


def outer(out: Path) -> None:
    sys.path.insert(0, str(REPO))
    from tests.lab import topology
    from tests.lab.netlab import Lab
    from tests.lab.tuitrace_run import environment

    subnet = topology.subnet(5, 4)

    def route_via(lab: Lab, branch: str) -> None:
        shared = topology.segment("r1", branch)
        lab.run("r1", ["ip", "route", "replace", subnet, "via", shared.address(branch, 4), "dev",
                       shared.dev("r1")], check=True)

    with Lab() as lab, lab.loss("r3", 0.5), lab.silence("r4"):
        work = out.with_name(f"partial-{out.name}")  # still .gz: written compressed
        argv = [sys.executable, "-m", "bench.record_demo", "--inner", str(work), lab.target(4)]
        proc = lab.popen("src", argv, env=environment(), cwd=REPO)
        started = time.monotonic()

        def at(seconds: float) -> None:
            time.sleep(max(0.0, seconds - (time.monotonic() - started)))

        at(SWITCH_S - 1.0)
        route_via(lab, "r2a")
        at(MOVE_S)
        route_via(lab, "r2b")
        at(OUTAGE_S)
        drop = ["FORWARD", "-d", lab.target(4), "-j", "DROP"]
        lab.run("r1", ["iptables", "-w", "-I", *drop], check=True)
        at(OUTAGE_S + OUTAGE_LENGTH_S)
        lab.run("r1", ["iptables", "-w", "-D", *drop], check=True)
        if proc.wait(timeout=END_S + 60) != 0:
            raise SystemExit(f"the trace in the lab failed ({proc.returncode})")
        shutil.move(work, out)
    report = subprocess.run([sys.executable, "-m", "tuitrace", "--replay", str(out), "--report"],
                            check=True, capture_output=True, text=True, cwd=REPO).stdout
    print(report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inner", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("target", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(DEMO), help="where to write the recording")
    args = parser.parse_args()
    if args.inner:
        inner(Path(args.inner), args.target)
    else:
        outer(Path(args.out))


if __name__ == "__main__":
    main()
