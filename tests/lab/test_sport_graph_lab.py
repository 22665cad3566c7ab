"""``--sport`` and ``--dot`` over the lab's real routers.

- ``--sport``: dst's packet filter counts what arrives; every probe to the traced port must come from the
  port given, none from another, and the trace must be the lab's path through one branch.
- ``--sport`` with ``--flows``: the path the report names as the application's (flow 1) must be the branch
  that a single fixed flow with the same 5-tuple takes (the lab's routers hash addresses, protocol and
  ports, not the IPv6 flow label, so one 5-tuple always takes one branch: no chance involved).
- ``--mda --dot``: the graph's edges are exactly the links of the same run's MDA result.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lab.netlab import Lab
from tests.lab.topology import Family
from tests.lab.tuitrace_run import Report, path, run_tuitrace

pytestmark = pytest.mark.lab

SPORT = {4: 41234, 6: 41235}
"""Fixed source ports: high, and nothing in src listens there."""
METHODS = {"udp-fixed": ("udp", 53), "tcp": ("tcp", 80)}
"""tuitrace's method: the protocol and destination port of its probes (-U: 53, -T: 80)."""


@contextlib.contextmanager
def counting(lab: Lab, family: Family, protocol: str, dport: int, sport: int) -> Iterator[dict[str, int]]:
    """Count, on dst, the probes to ``dport`` from ``sport`` and from any other port (rules without a
    target only count); the counts are filled in when the block ends."""
    tool = "iptables" if family == 4 else "ip6tables"
    rules = {"ours": ["-p", protocol, "--dport", str(dport), "--sport", str(sport)],
             "other": ["-p", protocol, "--dport", str(dport), "!", "--sport", str(sport)]}
    for rule in rules.values():
        lab.run("dst", [tool, "-w", "-I", "INPUT", *rule], check=True)
    counts: dict[str, int] = {}
    try:
        yield counts
        listing = lab.run("dst", [tool, "-w", "-L", "INPUT", "-v", "-x", "-n"], check=True).stdout
        for name in rules:
            wanted = f"spt:{sport}" if name == "ours" else f"spt:!{sport}"
            line = next(line for line in listing.splitlines() if wanted in line and f"dpt:{dport}" in line)
            counts[name] = int(line.split()[0])
    finally:
        for rule in rules.values():
            lab.run("dst", [tool, "-w", "-D", "INPUT", *rule], check=True)


def application_route(report: Report) -> list[str | None]:
    (mine,) = [p for p in report["paths"] if p["application"]]
    flow_one = report["flows"][0]
    assert flow_one["flow"] == 1 and flow_one["path"] == mine["path"] and 1 in mine["flows"]
    return [hop["address"] for hop in mine["hops"]]


@pytest.mark.parametrize(("family", "method"), [(4, "udp-fixed"), (6, "tcp")])
def test_probes_leave_from_the_source_port_and_flows_name_that_5_tuples_path(lab: Lab, family: Family,
                                                                             method: str) -> None:
    protocol, dport = METHODS[method]
    sport, rounds = SPORT[family], 4
    with counting(lab, family, protocol, dport, sport) as counts:
        alone = run_tuitrace(lab, family, method, rounds=rounds, extra=["--sport", str(sport)])
    assert alone["reached"]
    hops = path(alone)
    branch = next(router for router in ("r2a", "r2b") if hops[1] == {lab.address(router, family)})
    assert hops == lab.expected_hops(family, branch=branch)
    assert counts["ours"] >= rounds and counts["other"] == 0, counts

    flows = run_tuitrace(lab, family, method, rounds=3, extra=["--sport", str(sport), "--flows", "8"])
    assert flows["flows"][0]["label"] == f"{protocol.upper()} sport {sport} dport {dport}"
    assert application_route(flows) == [next(iter(hop)) for hop in hops]


DOT_EDGE = re.compile(r"  (h\d+_\d+) -> (h\d+_\d+)(?: \[[^\]]*\])?;")
DOT_NODE = re.compile(r'  (h\d+_\d+) \[label="\d+: ([^"]*)"')


def dot_edges(text: str) -> set[tuple[str, str]]:
    """The DOT's edges as (address, address): with Graphviz's own parser when it is installed."""
    if shutil.which("dot") is not None:
        graph = json.loads(subprocess.run(["dot", "-Tjson"], input=text, capture_output=True, text=True,
                                          check=True, timeout=30).stdout)
        nodes = [obj for obj in graph["objects"] if "nodes" not in obj]  # not the rank=same subgraphs
        names = {obj["_gvid"]: obj["label"].split(": ", 1)[1] for obj in nodes}
        return {(names[edge["tail"]], names[edge["head"]]) for edge in graph.get("edges", [])}
    labels = dict(DOT_NODE.findall(text))
    return {(labels[a], labels[b]) for a, b in DOT_EDGE.findall(text)}


def test_mda_dot_edges_are_the_mda_links(lab: Lab, tmp_path: Path) -> None:
    dot, mermaid = tmp_path / "lab.dot", tmp_path / "lab.mmd"
    graphs = ["--dot", str(dot), "--mermaid", str(mermaid)]
    report = run_tuitrace(lab, 4, "udp", rounds=1, extra=["--mda", *graphs])
    links = {(a or "*", b or "*") for hop in report["mda"]["hops"] for a, b in hop["links"]}
    assert len(links) >= 4  # the stage's two branches, in and out
    assert dot_edges(dot.read_text(encoding="utf-8")) == links
    arrows = [line for line in mermaid.read_text(encoding="utf-8").splitlines() if " --> " in line]
    assert len(arrows) == len(links)
