"""``--dot`` / ``--mermaid``: the graph of what a trace found (MDA links, flow paths, or responders per TTL),
with node ids made here, labels escaped so a hostile name cannot break either syntax, and the same bytes for
the same input. Graphviz itself parses the DOT when ``dot`` is installed (``run-tests`` installs it)."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess

import pytest

from tuitrace.config import Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.probe.mda import MdaHop, MdaResult
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.report.graph import (
    Labeler,
    Topology,
    flows_topology,
    labeler,
    mda_topology,
    render_dot,
    render_mermaid,
    run_topology,
    trace_topology,
)
from tuitrace.report.privacy import Privacy
from tuitrace.stats.flowbook import FlowBook, FlowsSnapshot

TARGET = "10.201.6.2"
DIAMOND = MdaResult(95, 30, (
    MdaHop(1, ("10.201.0.1",), (), 6),
    MdaHop(2, ("10.201.1.2", "10.201.2.2", None),
           (("10.201.0.1", "10.201.1.2"), ("10.201.0.1", "10.201.2.2"), ("10.201.0.1", None)), 11),
    MdaHop(3, ("10.201.3.3",), (("10.201.1.2", "10.201.3.3"), ("10.201.2.2", "10.201.3.3"),
                                (None, "10.201.3.3")), 6),
    MdaHop(4, (TARGET,), (("10.201.3.3", TARGET),), 1),
), True, 11, True)
HOSTILE = ['evil"]; x -> y [label="', "a\\", "line\nbreak\r", "%%{init: {}}%%", "#quot; <b>&amp;</b> |x| `c`",
           "end", "名前.example", "\x1b[31mred"]
DOT_LINE = re.compile(
    r'  (?:h\d+_\d+ \[label="(?:[^"\\]|\\.)*"(?:, style=dashed|, peripheries=2)?\];'
    r"|\{ rank=same; (?:h\d+_\d+; )+\}"
    r'|h\d+_\d+ -> h\d+_\d+(?: \[label="(?:[^"\\]|\\.)*"(?:, penwidth=2\.5)?\]| \[penwidth=2\.5\])?;'
    r'|label="(?:[^"\\]|\\.)*";|labelloc=t;|rankdir=LR;|node \[shape=box, fontname="monospace"\];)')
MERMAID_LABEL = r'"[A-Za-z0-9 .,:\-/()#;]*"'
MERMAID_LINE = re.compile(
    rf"  (?:h\d+_\d+(?:\[{MERMAID_LABEL}\]|\(\({MERMAID_LABEL}\)\))"
    rf"|h\d+_\d+ (?:-->|==>)(?:\|{MERMAID_LABEL}\|)? h\d+_\d+"
    r"|%% [^\n]*|classDef silent stroke-dasharray: 4 4|class (?:h\d+_\d+,)*h\d+_\d+ silent)")


def labels(topology: Topology) -> dict[str, str]:
    return {node.id: node.label for node in topology.nodes}


def edge_pairs(topology: Topology) -> set[tuple[str, str]]:
    """Edges as (label, label), the node ids resolved."""
    names = labels(topology)
    return {(names[edge.tail], names[edge.head]) for edge in topology.edges}


def test_mda_edges_are_its_links_and_a_silent_interface_is_a_star() -> None:
    topology = mda_topology(DIAMOND, TARGET)
    assert edge_pairs(topology) == {
        ("1: 10.201.0.1", "2: 10.201.1.2"), ("1: 10.201.0.1", "2: 10.201.2.2"), ("1: 10.201.0.1", "2: *"),
        ("2: 10.201.1.2", "3: 10.201.3.3"), ("2: 10.201.2.2", "3: 10.201.3.3"), ("2: *", "3: 10.201.3.3"),
        ("3: 10.201.3.3", f"4: {TARGET}"),
    }
    assert [n.id for n in topology.nodes] == ["h1_1", "h2_1", "h2_2", "h2_3", "h3_1", "h4_1"]
    assert [n.silent for n in topology.nodes].count(True) == 1
    assert [n.label for n in topology.nodes if n.target] == [f"4: {TARGET}"]
    dot = render_dot(topology)
    assert 'h2_3 [label="2: *", style=dashed];' in dot
    assert 'h4_1 [label="4: 10.201.6.2", peripheries=2];' in dot
    assert "  h1_1 -> h2_3;" in dot and "{ rank=same; h2_1; h2_2; h2_3; }" in dot
    mermaid = render_mermaid(topology)
    assert mermaid.startswith("flowchart LR\n") and '  h4_1(("4: 10.201.6.2"))' in mermaid
    assert "  h2_3 --> h3_1" in mermaid and "  class h2_3 silent" in mermaid


def test_the_same_topology_renders_the_same_bytes_whatever_the_order_it_was_found_in() -> None:
    shuffled = random.Random(14)
    hops = []
    for hop in DIAMOND.hops:
        interfaces, links = list(hop.interfaces), list(hop.links)
        shuffled.shuffle(interfaces)
        shuffled.shuffle(links)
        hops.append(MdaHop(hop.ttl, tuple(interfaces), tuple(links), hop.probes))
    again = MdaResult(95, 30, tuple(hops), True, 11, True)
    assert render_dot(mda_topology(again, TARGET)) == render_dot(mda_topology(DIAMOND, TARGET))
    assert render_mermaid(mda_topology(again, TARGET)) == render_mermaid(mda_topology(DIAMOND, TARGET))


def named(text: str) -> Labeler:
    """Every address named ``text``: a reverse-DNS answer trying a way out of a quoted label."""
    return lambda _ttl, address: f"{text} ({address})"


def test_hostile_names_cannot_break_either_syntax() -> None:
    for text in HOSTILE:
        topology = mda_topology(DIAMOND, TARGET, named(text))
        dot, mermaid = render_dot(topology), render_mermaid(topology)
        body = dot.splitlines()
        assert body[0] == "digraph tuitrace {" and body[-1] == "}"
        for line in body[1:-1]:
            assert DOT_LINE.fullmatch(line), line
        first, *rest = mermaid.splitlines()
        assert first == "flowchart LR"
        for line in rest:
            assert MERMAID_LINE.fullmatch(line), line
        assert len(rest) == 1 + len(topology.nodes) + len(topology.edges) + 2


def test_privacy_hides_the_first_hops_and_the_target_whoever_found_them() -> None:
    names = {"10.201.3.3": "core.example"}
    shown = labels(mda_topology(DIAMOND, TARGET, labeler(TARGET, Privacy(hops=2), names.get)))
    assert sorted(shown.values()) == ["1: hidden", "2: *", "2: hidden", "2: hidden",
                                      "3: core.example (10.201.3.3)", f"4: {TARGET}"]
    topology = mda_topology(DIAMOND, TARGET, labeler(TARGET, Privacy(hide_target=True)))
    assert labels(topology)["h4_1"] == "4: hidden" and TARGET not in render_dot(topology)
    assert labels(topology)["h1_1"] == "1: 10.201.0.1"


def test_mermaid_writes_every_special_character_as_an_entity_code() -> None:
    topology = mda_topology(DIAMOND, TARGET, lambda _ttl, _address: 'a"b#c<d>e|f`g;h_i*j[k]')
    assert '"1: a#34;b#35;c#60;d#62;e#124;f#96;g#59;h#95;i#42;j#91;k#93;"' in render_mermaid(topology)


def test_no_mermaid_label_reads_as_a_markdown_list() -> None:
    """Mermaid reads labels as Markdown: ``"2. 10.0.0.1"`` would be drawn as a numbered list."""
    flowchart = render_mermaid(mda_topology(DIAMOND, TARGET))
    labels_drawn = re.findall(r'\["([^"]*)"\]|\(\("([^"]*)"\)\)', flowchart)
    assert labels_drawn and not any(re.match(r"\d+\. ", a or b) for a, b in labels_drawn)


def controls_as_marks(text: str) -> str:
    return text.replace("\n", "?").replace("\r", "?").replace("\x1b", "?")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (Debian graphviz) is not installed")
def test_graphviz_reads_hostile_labels_back_exactly() -> None:
    for text in HOSTILE:
        topology = mda_topology(DIAMOND, TARGET, named(text))
        done = subprocess.run(["dot", "-Tjson"], input=render_dot(topology), capture_output=True, text=True,
                              check=False, timeout=30)
        assert done.returncode == 0, done.stderr
        graph = json.loads(done.stdout)
        nodes = [obj for obj in graph["objects"] if "nodes" not in obj]  # not the rank=same subgraphs
        # the parser undoes \"; the label's own escapes (\\ is one backslash) are undone when drawn
        read = {obj["name"]: obj["label"].replace("\\\\", "\\") for obj in nodes}
        shown = {node.id: controls_as_marks(node.label) for node in topology.nodes}
        assert read == shown
        assert graph["label"].replace("\\\\", "\\") == controls_as_marks(topology.title)
        name = {obj["_gvid"]: obj["name"] for obj in graph["objects"]}
        pairs = {(name[e["tail"]], name[e["head"]]) for e in graph["edges"]}
        assert pairs == {(edge.tail, edge.head) for edge in topology.edges}


def diamond_flows() -> FlowsSnapshot:
    """Flows 1 and 3 through 10.201.2.2, 2 through 10.201.1.2, 4 through a hop that never answers."""
    icmp = Setting(Protocol.ICMP, None)
    routes = {1: ("10.201.0.1", "10.201.2.2", "10.201.3.3", TARGET),
              2: ("10.201.0.1", "10.201.1.2", "10.201.3.3", TARGET),
              3: ("10.201.0.1", "10.201.2.2", "10.201.3.3", TARGET),
              4: ("10.201.0.1", None, "10.201.3.3", TARGET)}
    book = FlowBook(4, 40002)
    for flow, route in routes.items():
        for ttl, address in enumerate(route, start=1):
            outcome = (Outcome.LOST if address is None else Outcome.REACHED if ttl == 4
                       else Outcome.TIME_EXCEEDED)
            rtt = None if address is None else 1000
            book.add(ProbeResult(1, icmp, ttl, 1, outcome, address, rtt, flow=flow))
    return book.snapshot(icmp)


def test_flow_paths_are_chains_and_the_applications_path_is_bold() -> None:
    flows = diamond_flows()
    topology = flows_topology(flows, TARGET)
    names = labels(topology)
    by_pair = {(names[e.tail], names[e.head]): e for e in topology.edges}
    assert set(by_pair) == {
        ("1: 10.201.0.1", "2: 10.201.2.2"), ("2: 10.201.2.2", "3: 10.201.3.3"),
        ("1: 10.201.0.1", "2: 10.201.1.2"), ("2: 10.201.1.2", "3: 10.201.3.3"),
        ("1: 10.201.0.1", "2: *"), ("2: *", "3: 10.201.3.3"), ("3: 10.201.3.3", f"4: {TARGET}"),
    }
    assert by_pair[("1: 10.201.0.1", "2: 10.201.2.2")].bold
    assert not by_pair[("1: 10.201.0.1", "2: 10.201.1.2")].bold
    assert by_pair[("3: 10.201.3.3", f"4: {TARGET}")].label == "paths 1, 2, 3"
    assert "your 5-tuple (flow 1) on path 1" in topology.title
    assert run_topology_of(flows) == topology


def run_topology_of(flows: FlowsSnapshot) -> Topology:
    scenario = parse_scenario({"path": {"family": 4, "source": "192.0.2.1", "target": TARGET},
                               "hop": [{"responders": ["10.201.0.1"]}]}, "short")
    engine = Engine(TraceConfig(target=TARGET, family=4, count=1), SimNetwork(scenario))
    engine.run()
    return run_topology(engine.snapshot(), flows)


def test_without_flows_consecutive_ttls_responders_are_joined_and_silence_is_a_star() -> None:
    scenario = parse_scenario({
        "path": {"family": 4, "source": "192.0.2.1", "target": "198.51.100.9"},
        "hop": [{"responders": ["192.0.2.254"]}, {"responders": ["203.0.113.21", "203.0.113.22"]},
                {"silent": True}, {"responders": ["203.0.113.40"]}],
    }, "ecmp and a silent hop")
    config = TraceConfig(target=scenario.target, family=4, setting=Setting(Protocol.UDP, None), count=8)
    engine = Engine(config, SimNetwork(scenario))
    engine.run()
    topology = run_topology(engine.snapshot(), None)
    assert edge_pairs(topology) == {
        ("1: 192.0.2.254", "2: 203.0.113.21"), ("1: 192.0.2.254", "2: 203.0.113.22"),
        ("2: 203.0.113.21", "3: *"), ("2: 203.0.113.22", "3: *"), ("3: *", "4: 203.0.113.40"),
        ("4: 203.0.113.40", "5: 198.51.100.9"),
    }
    assert topology == trace_topology(engine.snapshot())
    assert "UDP 33434+n" in topology.title
