"""A userspace link delay for the lab: holds every queued packet for a fixed time, then lets it go.

This kernel has no ``tc netem``, so the benchmark path gets its latency from netfilter: a rule in one
router sends forwarded packets to an NFQUEUE, and this process (run inside that router's namespace) gives
each packet its verdict ``delay`` milliseconds after it arrived. A constant delay on a FIFO keeps the order.

Memory is bounded: the kernel queue holds at most ``--max-queued`` packets (further ones are dropped by
the kernel, which a benchmark would see as loss), and only packet ids wait here, never payloads
(``COPY_META``). The process stops by itself when its standard input closes (the benchmark ended or died)
or after ``--lifetime`` seconds, and the rule carries ``--queue-bypass`` so that traffic flows undelayed,
never blocked, when no delayer listens.

Usage: ``python -m bench.delayer QUEUE_NUM DELAY_MS [--max-queued N] [--lifetime S]``; prints ``ready``.
"""

from __future__ import annotations

import argparse
import os
import select
import sys
import time
from collections import deque

from netfilterqueue import COPY_META, NetfilterQueue, Packet


class Delayer:
    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.held: deque[tuple[float, Packet]] = deque()
        self.passed = 0

    def arrive(self, packet: Packet) -> None:
        self.held.append((time.monotonic() + self.delay_s, packet))

    def release_due(self) -> float | None:
        """Accept every packet whose time has come; return seconds until the next one is due."""
        now = time.monotonic()
        held = self.held
        while held and held[0][0] <= now:
            held.popleft()[1].accept()
            self.passed += 1
        return None if not held else max(0.0, held[0][0] - now)


def serve(queue_num: int, delay_ms: float, max_queued: int, lifetime: float) -> int:
    delayer = Delayer(delay_ms / 1000.0)
    queue = NetfilterQueue()
    queue.bind(queue_num, delayer.arrive, max_len=max_queued, mode=COPY_META, range=0)
    fd = queue.get_fd()
    stdin = sys.stdin.fileno()
    os.set_blocking(fd, False)
    end = time.monotonic() + lifetime
    print("ready", flush=True)
    try:
        while time.monotonic() < end:
            wait = delayer.release_due()
            timeout = min(0.5 if wait is None else wait, max(0.0, end - time.monotonic()))
            readable, _, _ = select.select([fd, stdin], [], [], timeout)
            if stdin in readable and not os.read(stdin, 4096):
                break  # the benchmark closed our stdin: it is done (or gone)
            if fd in readable:
                queue.run(block=False)
    finally:
        for _due, packet in delayer.held:  # nothing is left hanging in the kernel queue
            packet.accept()
        queue.unbind()
    return delayer.passed


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.delayer")
    parser.add_argument("queue", type=int)
    parser.add_argument("delay_ms", type=float)
    parser.add_argument("--max-queued", type=int, default=4096)
    parser.add_argument("--lifetime", type=float, default=900.0)
    args = parser.parse_args()
    passed = serve(args.queue, args.delay_ms, args.max_queued, args.lifetime)
    print(f"passed {passed}", flush=True)


if __name__ == "__main__":
    main()
