"""The test DNS server as a process, for a lab namespace: ``python -m tests.enrich.serve [--port N] [--log]
NAME=ADDRESS ...``.

Serves, on 127.0.0.1 of the namespace it runs in, a PTR record ``NAME.lab.test`` for every ADDRESS and
Team Cymru answers putting them all in AS64501 "TUITRACE-LAB"; prints its port on the first line and
serves until its standard input closes (so it never outlives the test that started it). ``--port`` takes a
given port (a server that comes back where tuitrace already looks); with ``--log`` it prints
``answered <type> <name>`` after each answer is sent, so a test knows what tuitrace has been told.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys

from tests.enrich.dnsserver import DnsTestServer, Query

LAB_ASN = 64501
LAB_AS_NAME = "TUITRACE-LAB"


def _log(query: Query) -> None:
    print(f"answered {query.qtype} {query.name}", flush=True)


def main(args: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.enrich.serve")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", action="store_true")
    parser.add_argument("pairs", nargs="*", metavar="NAME=ADDRESS")
    ns = parser.parse_args(args)
    with DnsTestServer("127.0.0.1", port=ns.port, on_answer=_log if ns.log else None) as server:
        for pair in ns.pairs:
            name, address = pair.split("=", 1)
            prefix = ipaddress.ip_network(f"{address}/{16 if ':' not in address else 32}", strict=False)
            server.add_ptr(address, f"{name}.lab.test")
            server.add_origin(address, f"{LAB_ASN} | {prefix} | ZZ | private | 2026-01-01")
        server.add_as(LAB_ASN, f"{LAB_ASN} | ZZ | private | 2026-01-01 | {LAB_AS_NAME}, ZZ")
        print(server.port, flush=True)
        sys.stdin.read()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
