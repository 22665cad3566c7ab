"""``python -m bench.mda_step [tuitrace options] TARGET``: tuitrace's discovery with scamper's meaning of
the confidence (per step, the published table at every test) instead of tuitrace's (per run), so that
``bench.mda`` can count tuitrace's probes at exactly tracelb's confidence. The same discovery code, the
same network back-end as the command line; no trace after it. Prints the ``mda`` part of a JSON report
and the discovery's wall time. Run inside the lab's src namespace (``bench.mda`` does).
"""

from __future__ import annotations

import json
import sys
import time

from tuitrace.arguments import build_parser
from tuitrace.cli import invocation_from_args
from tuitrace.engine.discovery import discover
from tuitrace.probe.backend import open_every_protocol, open_probing_network
from tuitrace.probe.mda import MdaDiscovery
from tuitrace.report.mda import MdaReport


def main() -> int:
    words = sys.argv[1:]
    invocation = invocation_from_args(build_parser().parse_words(words), words)
    trace = invocation.trace
    assert trace.mda_confidence is not None, "give --mda"
    network = open_probing_network(trace, invocation.network.mode)
    open_every_protocol(network)
    started = time.monotonic()
    result = discover(network, MdaDiscovery(trace, network.identity, trace.mda_confidence, per_run=False))
    seconds = time.monotonic() - started
    report = MdaReport.of(result)
    hops = [{"ttl": hop.ttl, "interfaces": list(hop.interfaces), "links": [list(link) for link in hop.links],
             "probes": hop.probes} for hop in report.hops]
    mda = {"confidence": report.confidence, "probes": report.probes, "reached": report.reached,
           "complete": report.complete, "hops": hops}
    print(json.dumps({"mda": mda, "seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
