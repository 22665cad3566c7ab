"""The topology a trace found, as a graph: Graphviz DOT (``--dot FILE``) and a Mermaid flowchart
(``--mermaid FILE``, for pasting into a ticket, where GitHub and GitLab draw it).

Three sources, the richest one a run has:

- ``--mda``: discovery's interfaces per TTL and its links (the (TTL-1, TTL) pairs one flow showed), a silent
  next hop as one ``*`` node at its TTL, as the MDA result has it;
- ``--flows``: each distinct path as a chain, hop by hop; an edge says which paths take it, and the path of
  the application's own 5-tuple (flow 1) is drawn bold. A silent hop is a ``*`` node of its own after the
  hop before it, so branches that go quiet are not joined by the drawing;
- otherwise the trace's responders per TTL, each joined to every responder of the next TTL: which router
  forwarded to which is not known from a trace (``--mda`` finds the links), only that they are next.

Nodes are one per (TTL, address): the same address at two TTLs (a NAT, a loop) stays two nodes, so the
drawing keeps the trace's order. Addresses and names come from the network and are untrusted: node ids are
made here (``h<ttl>_<n>``), never from them, and every label is quoted and escaped for its syntax (DOT: a
backslash and a double quote; Mermaid: everything but letters, digits, ``.,:-/()`` and the space as
``#<code>;`` entity codes, Markdown's marks included); control characters become ``?``, so a hostile
name cannot end a line, a string or a statement. Same input, same bytes: nodes and edges are sorted.

Pure functions of values: no files, no Textual.
"""

from __future__ import annotations

import ipaddress
import string
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line builds GraphFiles on the way to the first probe: keep it light
    from tuitrace.probe.mda import MdaResult
    from tuitrace.report.model import Lookup
    from tuitrace.report.privacy import Privacy
    from tuitrace.stats.flowbook import FlowsSnapshot
    from tuitrace.stats.snapshot import TraceSnapshot

SILENT = "*"
HIDDEN = "hidden"
APPLICATION_FLOW = 1
"""Flow 1 carries the trace's own ports (as :data:`tuitrace.stats.flowbook.APPLICATION_FLOW`)."""
BEYOND_HOPS = 256
"""The TTL a title names the target at: beyond every hop, so only ``--hide-target`` hides it there."""
Labeler = Callable[[int, str], str]
"""What a node at a TTL shows for an address: the address, ``name (address)``, or ``hidden``."""


@dataclass(frozen=True, slots=True)
class GraphFiles:
    """``--dot FILE`` and ``--mermaid FILE``: where the graph goes at the end of the run (and, on screen,
    with every screenshot)."""

    dot: Path | None = None
    mermaid: Path | None = None

    @property
    def wanted(self) -> bool:
        return self.dot is not None or self.mermaid is not None


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    ttl: int
    label: str
    silent: bool = False
    target: bool = False


@dataclass(frozen=True, slots=True)
class Edge:
    tail: str
    head: str
    label: str = ""
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Topology:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def plain_label(_ttl: int, address: str) -> str:
    return address


def labeler(target: str, privacy: Privacy | None = None,
            name: Callable[[str], str | None] | None = None) -> Labeler:
    """Labels as the reports show them: ``name (address)`` when a name is known, and ``hidden`` for what
    ``privacy`` hides (every address at hops 1..N, whichever source found it, and the target)."""

    def label(ttl: int, address: str) -> str:
        if privacy is not None and (ttl <= privacy.hops or (privacy.hide_target and address == target)):
            return HIDDEN
        known = name(address) if name is not None else None
        return f"{known} ({address})" if known else address

    return label


class _Builder:
    """Collects (TTL, address) nodes and edges under keys, then numbers and sorts them."""

    def __init__(self, target: str, label: Labeler) -> None:
        self._target = target
        self._label = label
        self._nodes: dict[Hashable, tuple[int, str | None]] = {}
        self._edges: dict[tuple[Hashable, Hashable], tuple[set[int], bool]] = {}

    def node(self, ttl: int, address: str | None, scope: Hashable = None) -> Hashable:
        """The key of the node for ``address`` at ``ttl``; a silent one (``None``) is one per ``scope``."""
        key: Hashable = (ttl, address) if address is not None else (ttl, None, scope)
        self._nodes.setdefault(key, (ttl, address))
        return key

    def edge(self, tail: Hashable, head: Hashable, paths: Iterable[int] = (), *, bold: bool = False) -> None:
        members, was_bold = self._edges.get((tail, head), (set(), False))
        self._edges[(tail, head)] = (members | set(paths), was_bold or bold)

    def build(self, title: str) -> Topology:
        order = sorted(self._nodes, key=lambda key: _node_order(key, self._nodes[key]))
        ids: dict[Hashable, str] = {}
        counts: dict[int, int] = {}
        nodes = []
        for key in order:
            ttl, address = self._nodes[key]
            counts[ttl] = counts.get(ttl, 0) + 1
            ids[key] = f"h{ttl}_{counts[ttl]}"
            text = SILENT if address is None else self._label(ttl, address)
            nodes.append(Node(ids[key], ttl, f"{ttl}: {text}", address is None, address == self._target))
        rank = {key: index for index, key in enumerate(order)}
        edges = [
            Edge(ids[tail], ids[head], _paths_label(members), bold)
            for (tail, head), (members, bold) in sorted(self._edges.items(),
                                                        key=lambda item: (rank[item[0][0]], rank[item[0][1]]))
        ]
        return Topology(title, tuple(nodes), tuple(edges))


def _node_order(key: Hashable, value: tuple[int, str | None]) -> tuple[int, int, tuple[int, int, str], str]:
    ttl, address = value
    if address is None:
        return ttl, 1, (0, 0, ""), repr(key)
    return ttl, 0, _address_order(address), ""


def _address_order(address: str) -> tuple[int, int, str]:
    """Numeric order for addresses (10.0.0.9 before 10.0.0.10), then anything else (``hidden``) by text."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return 2, 0, address
    return parsed.version - 4, int(parsed), ""


def _paths_label(paths: set[int]) -> str:
    if not paths:
        return ""
    noun = "path" if len(paths) == 1 else "paths"
    return f"{noun} {', '.join(str(p) for p in sorted(paths))}"


# -- the three sources -------------------------------------------------------------------------------------
def mda_topology(result: MdaResult, target: str, label: Labeler = plain_label) -> Topology:
    """Discovery's interfaces and links; a silent interface is the ``*`` node of its TTL."""
    build = _Builder(target, label)
    for hop in result.hops:
        for interface in hop.interfaces:
            build.node(hop.ttl, interface)
        for before, after in hop.links:
            build.edge(build.node(hop.ttl - 1, before), build.node(hop.ttl, after))
    state = "" if result.complete else ", incomplete"
    return build.build(f"tuitrace --mda to {label(BEYOND_HOPS, target)}: {result.confidence}% per interface, "
                       f"{result.probes} probes{state}")


def flows_topology(flows: FlowsSnapshot, target: str, label: Labeler = plain_label) -> Topology:
    """Each distinct path as a chain; edges name their paths, the application's path is bold."""
    build = _Builder(target, label)
    mine = flows.application_path
    for path in flows.paths:
        before: Hashable | None = None
        before_ttl = 0
        for hop in path.hops:
            key = build.node(hop.ttl, hop.address, before)
            if before is not None and hop.ttl == before_ttl + 1:
                build.edge(before, key, (path.path,), bold=path.path == mine)
            before, before_ttl = key, hop.ttl
    yours = f", your 5-tuple (flow {APPLICATION_FLOW}) on path {mine}" if mine is not None else ""
    return build.build(f"tuitrace --flows {flows.count} to {label(BEYOND_HOPS, target)}: "
                       f"{len(flows.paths)} distinct paths{yours}")


def trace_topology(snapshot: TraceSnapshot, label: Labeler = plain_label) -> Topology:
    """The responders per TTL, each joined to every responder of the next TTL (a TTL nobody answered is
    ``*``)."""
    build = _Builder(snapshot.target, label)
    previous: list[Hashable] = []
    previous_ttl = 0
    for hop in snapshot.hops:
        keys = [build.node(hop.ttl, r.address) for r in hop.responders] or [build.node(hop.ttl, None)]
        if hop.ttl == previous_ttl + 1:
            for tail in previous:
                for head in keys:
                    build.edge(tail, head)
        previous, previous_ttl = keys, hop.ttl
    return build.build(f"tuitrace to {label(BEYOND_HOPS, snapshot.target)}: {snapshot.setting.label}, "
                       "responders per TTL")


def run_topology(snapshot: TraceSnapshot, flows: FlowsSnapshot | None,
                 label: Labeler = plain_label) -> Topology:
    """The richest graph this run has: discovery's (``--mda``), the flows' paths, or the trace's hops."""
    if flows is not None and flows.discovery is not None:
        return mda_topology(flows.discovery, snapshot.target, label)
    if flows is not None and flows.paths:
        return flows_topology(flows, snapshot.target, label)
    return trace_topology(snapshot, label)


def labelled_topology(snapshot: TraceSnapshot, flows: FlowsSnapshot | None, privacy: Privacy,
                      lookup: Lookup | None) -> Topology:
    """:func:`run_topology` labelled as the reports and the screen show the run: ``snapshot`` is the real
    one, ``privacy`` hides its first hops and target, ``lookup`` gives names (``None``: addresses only)."""
    if lookup is None:
        return run_topology(snapshot, flows, labeler(snapshot.target, privacy))

    def name(address: str) -> str | None:
        info = lookup(address)
        return info.hostname if info is not None else None

    return run_topology(snapshot, flows, labeler(snapshot.target, privacy, name))


# -- the two syntaxes --------------------------------------------------------------------------------------
_PRINTABLE = frozenset(string.printable) - frozenset("\t\n\r\x0b\x0c")


def _printable(text: str) -> str:
    """Control characters (any line or string ending a hostile name could bring) as ``?``."""
    return "".join(c if c in _PRINTABLE or (c.isprintable() and not c.isspace()) else "?" for c in text)


def dot_string(text: str) -> str:
    """A DOT quoted string: inside one only ``"`` ends it, and a backslash starts an escape (``\\N``,
    ``\\l``): both are escaped."""
    return '"' + _printable(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


_MERMAID_PLAIN = frozenset(string.ascii_letters + string.digits + " .,:-/()")


def mermaid_string(text: str) -> str:
    """A Mermaid quoted label: every character but a few plain ones as an entity code (``#34;``). Mermaid
    reads labels as Markdown too, so ``*``, ``_``, ``#``, backticks and brackets are codes, and a label
    never starts with ``<number>. `` (a list): ours start ``<ttl>: ``."""
    return '"' + "".join(c if c in _MERMAID_PLAIN else f"#{ord(c)};" for c in _printable(text)) + '"'


def render_dot(topology: Topology) -> str:
    lines = [
        "digraph tuitrace {",
        f"  label={dot_string(topology.title)};",
        "  labelloc=t;",
        "  rankdir=LR;",
        '  node [shape=box, fontname="monospace"];',
    ]
    by_ttl: dict[int, list[str]] = {}
    for node in topology.nodes:
        by_ttl.setdefault(node.ttl, []).append(node.id)
        extra = ", style=dashed" if node.silent else ", peripheries=2" if node.target else ""
        lines.append(f"  {node.id} [label={dot_string(node.label)}{extra}];")
    lines.extend(f"  {{ rank=same; {'; '.join(ids)}; }}" for ids in by_ttl.values() if len(ids) > 1)
    for edge in topology.edges:
        attributes = []
        if edge.label:
            attributes.append(f"label={dot_string(edge.label)}")
        if edge.bold:
            attributes.append("penwidth=2.5")
        shown = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {edge.tail} -> {edge.head}{shown};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_mermaid(topology: Topology) -> str:
    lines = ["flowchart LR", f"  %% {_printable(topology.title)}"]
    for node in topology.nodes:
        text = mermaid_string(node.label)
        lines.append(f"  {node.id}(({text}))" if node.target else f"  {node.id}[{text}]")
    for edge in topology.edges:
        arrow = "==>" if edge.bold else "-->"
        label = f"|{mermaid_string(edge.label)}|" if edge.label else ""
        lines.append(f"  {edge.tail} {arrow}{label} {edge.head}")
    silent = [node.id for node in topology.nodes if node.silent]
    if silent:
        lines.append("  classDef silent stroke-dasharray: 4 4")
        lines.append(f"  class {','.join(silent)} silent")
    return "\n".join(lines) + "\n"
