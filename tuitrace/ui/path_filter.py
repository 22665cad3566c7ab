"""The main table narrowed to one path of ``--flows`` (Enter in the flows view; ``a`` clears it).

Under ECMP the table shows every branch's routers at their TTL. To look at one branch, the table keeps, per
TTL of the chosen path, only that path's responder, with the path's own numbers (its flows' probes, answers
and RTTs, from :mod:`tuitrace.stats.flowbook`): the loss in a filtered row is that branch's, not the hop's.
A TTL where the path's probes got no answer shows as a silent hop; TTLs the path does not reach are left
out. The per-hop RTT history is the hop's, not the path's, so a filtered row has none.

A pure function of snapshots: the app applies it before privacy and the findings see what is shown.
"""

from __future__ import annotations

from dataclasses import replace

from tuitrace.stats.flowbook import FlowHop, FlowsSnapshot, PathSnapshot
from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, TraceSnapshot

CLEAR_KEY = "a"


def chosen_path(flows: FlowsSnapshot | None, path: int | None) -> PathSnapshot | None:
    """The path numbered ``path`` in ``flows``, if both exist."""
    if flows is None or path is None:
        return None
    return next((candidate for candidate in flows.paths if candidate.path == path), None)


def only_path(snapshot: TraceSnapshot, path: PathSnapshot) -> TraceSnapshot:
    """``snapshot`` with, per TTL of ``path``, only its responder and its numbers."""
    by_ttl = {hop.ttl: hop for hop in snapshot.hops}
    hops = tuple(_hop(by_ttl.get(flow_hop.ttl), flow_hop, snapshot.target) for flow_hop in path.hops)
    return replace(snapshot, hops=hops)


def _hop(hop: HopSnapshot | None, flow_hop: FlowHop, target: str) -> HopSnapshot:
    responders: tuple[ResponderSnapshot, ...] = ()
    address = flow_hop.address
    if address is not None and flow_hop.received:
        known = next((r for r in hop.responders if r.address == address), None) if hop is not None else None
        annotations = (flow_hop.annotation,) if flow_hop.annotation else ()
        base = known or ResponderSnapshot(address, 0, 100.0, flow_hop.rtt, annotations, address == target,
                                          None)
        responders = (replace(base, received=flow_hop.received, share_pct=100.0, rtt=flow_hop.rtt),)
    return HopSnapshot(flow_hop.ttl, flow_hop.sent, flow_hop.received, flow_hop.rtt, responders, ())


def filter_line(path: PathSnapshot | None, number: int) -> str:
    """The bar above the table while a filter is on: what is shown, and how to see everything again."""
    if path is None:
        return (f"Path {number} only: not seen since the statistics changed, so every path shows  "
                f"({CLEAR_KEY}: clear)")
    flows = " ".join(str(flow) for flow in path.flows)
    noun = "flow" if len(path.flows) == 1 else "flows"
    return (f"Path {number} only ({noun} {flows}): its responders and its own loss and RTT per TTL  "
            f"({CLEAR_KEY}: every path, f: choose another)")
