"""What the flows view (key ``f``) draws for ``--flows N``: the distinct paths side by side as a small text
graph of the diamond, each path's loss and RTT, and the selected path hop by hop.

Kept apart from the screen so that the text is a pure function of a snapshot (tested without Textual's
pilot); every address is drawn as plain ``Text``, never markup.
"""

from __future__ import annotations

from rich.text import Text

from tuitrace.probe.mda import MdaResult
from tuitrace.stats.flowbook import FlowHop, FlowsSnapshot, PathSnapshot

NO_FLOWS_HINT = "Start tuitrace with --flows N (1..64) to map every ECMP branch and see each one's loss."


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _end(path: PathSnapshot) -> FlowHop | None:
    return path.hops[-1] if path.hops else None


def path_line(path: PathSnapshot, mine: bool) -> str:
    """``path 2  flows 2 3 5      loss  20.0% of 150  avg 0.41 ms``."""
    end = _end(path)
    members = " ".join(str(flow) for flow in path.flows)
    loss = "-" if end is None else f"{end.loss_pct:5.1f}% of {end.sent}"
    avg = "-" if end is None else _ms(end.rtt.avg_ms)
    yours = "  ◀ your ports (flow 1)" if mine else ""
    return f"path {path.path:<2}  flows {members:<14}  loss {loss:<14}  avg {avg} ms{yours}"


def graph_lines(snapshot: FlowsSnapshot) -> list[str]:
    """Per TTL, every address some path crosses there and which paths: where branches split and meet."""
    at: dict[int, dict[str | None, list[int]]] = {}
    for path in snapshot.paths:
        for hop in path.hops:
            at.setdefault(hop.ttl, {}).setdefault(hop.address, []).append(path.path)
    lines = []
    for ttl in sorted(at):
        cells = []
        for address, paths in at[ttl].items():
            names = ",".join(str(p) for p in paths)
            cells.append(f"{address or '???'} [{'all' if len(paths) == len(snapshot.paths) else names}]")
        lines.append(f"{ttl:>3}  " + "   ".join(cells))
    return lines


def hop_lines(path: PathSnapshot) -> list[str]:
    lines = [f"{'TTL':>3}  {'Host':<40} {'Loss%':>6} {'Snt':>5} {'Avg':>7} {'Best':>7} {'Wrst':>7}"]
    for hop in path.hops:
        address = (hop.address or "???") + (f" {hop.annotation}" if hop.annotation else "")
        rtt = hop.rtt
        lines.append(f"{hop.ttl:>3}  {address:<40} {hop.loss_pct:>5.1f}% {hop.sent:>5} {_ms(rtt.avg_ms):>7} "
                     f"{_ms(rtt.best_ms):>7} {_ms(rtt.worst_ms):>7}")
    return lines


def flows_view_text(snapshot: FlowsSnapshot | None, selected: int, filtered: int | None = None) -> Text:
    """The whole view; ``selected`` is the index (0..) of the path shown hop by hop, ``filtered`` the path
    the main table is narrowed to (marked ``table``)."""
    text = Text()
    if snapshot is None:
        text.append(NO_FLOWS_HINT)
        return text
    if not snapshot.paths:
        text.append(f"{snapshot.count} flows: waiting for answers…")
        return text
    mine = snapshot.application_path
    noun = "path" if len(snapshot.paths) == 1 else "paths"
    text.append(f"{len(snapshot.paths)} distinct {noun} among {snapshot.count} flows\n\n", style="bold")
    chosen = min(max(selected, 0), len(snapshot.paths) - 1)
    for index, path in enumerate(snapshot.paths):
        marker = "▶ " if index == chosen else "  "
        narrowed = "  [table shows only this path]" if path.path == filtered else ""
        text.append(marker + path_line(path, path.path == mine) + narrowed + "\n",
                    style="reverse" if index == chosen else "")
    text.append("\nWhere the paths go (path numbers after each address)\n", style="bold")
    text.append("\n".join(graph_lines(snapshot)) + "\n")
    path = snapshot.paths[chosen]
    text.append(f"\nPath {path.path} hop by hop\n", style="bold")
    text.append("\n".join(hop_lines(path)) + "\n")
    labels = {flow.flow: flow.label for flow in snapshot.flows if flow.path == path.path}
    listed = "; ".join(f"{flow} {label}" for flow, label in labels.items())
    text.append(f"Flows: {listed}\n", style="dim")
    if snapshot.discovery is not None:
        text.append("\n" + "\n".join(discovery_lines(snapshot.discovery)) + "\n")
    return text


def discovery_lines(result: MdaResult) -> list[str]:
    """What ``--mda`` found before the trace: per TTL the interfaces, the probes, and the confidence."""
    state = "complete" if result.complete else "incomplete (flow budget or max hops ran out)"
    lines = [f"MDA at {result.confidence}% per interface: {result.probes} probes, {result.flows_used} flows, "
             f"{state}"]
    for hop in result.hops:
        interfaces = "  ".join(address or "*" for address in hop.interfaces)
        lines.append(f"{hop.ttl:>3}  {interfaces}  ({hop.probes} probes, {len(hop.links)} links)")
    return lines
