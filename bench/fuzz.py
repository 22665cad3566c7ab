"""``python -m bench.fuzz``: a million mutated and random packets through every parser and the receive path.

No root and no network: the engine runs on the simulated network (virtual clock) with fuzz packets
injected around every probe (see ``tests/fault/fuzzing.py`` for what is fed and what is checked). Prints
the packets fed, how many matched a probe and how many were dropped (the two must add up exactly), the
parsers' accept/reject counts and the packets per second (CPU-bound, so only context). Exit 1 with the
seed on any failure; the same seed reproduces the run exactly.
"""

from __future__ import annotations

import argparse
import secrets
import sys

from tests.fault.fuzzing import PARSER_NAMES, FuzzError, fuzz


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=None, help="default: a random one (printed)")
    parser.add_argument("--no-parsers", action="store_true", help="only the receive path (faster)")
    args = parser.parse_args()
    seed = secrets.randbits(32) if args.seed is None else args.seed
    print(f"fuzz: seed {seed}, {args.packets} packets", flush=True)
    try:
        figures = fuzz(args.packets, seed, parsers=not args.no_parsers)
    except FuzzError as failure:
        print(f"fuzz: FAILED (seed {seed}): {failure}", file=sys.stderr)
        return 1
    print(f"fed {figures.fed} packets to {figures.engines} engines in {figures.seconds:.1f} s "
          f"({figures.rate:,.0f} packets/s, parsers included)")
    total = figures.matched + figures.dropped
    print(f"matched {figures.matched} + dropped {figures.dropped} = {total} (fed {figures.fed}): "
          f"{'exact' if total == figures.fed else 'MISCOUNT'}")
    print("fed: " + ", ".join(f"{kind} {count}" for kind, count in sorted(figures.kinds.items())))
    if figures.parsers is not None:
        print("parser: parsed / rejected (PacketError) / other exceptions")
        for name in PARSER_NAMES:
            print(f"  {name:34} {figures.parsers.parsed[name]:>9} {figures.parsers.rejected[name]:>9} 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
