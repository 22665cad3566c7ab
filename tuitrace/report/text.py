"""The mtr-style text report: one line per hop, one more per extra responder (ECMP), annotations inline."""

from __future__ import annotations

from tuitrace.report.model import Lookup, info_for
from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, RttSummary, TraceSnapshot

HOST_WIDTH = 40


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def responder_label(responder: ResponderSnapshot, lookup: Lookup | None, numeric: bool) -> str:
    info = info_for(lookup, responder.address)
    name = responder.address
    if not numeric and info.hostname:
        name = f"{info.hostname} ({responder.address})"
    extras = [*responder.annotations]
    if info.asn is not None:
        extras.insert(0, f"AS{info.asn}")
    return " ".join([name, *extras])


def _rtt_cells(rtt: RttSummary) -> str:
    cells = (rtt.last_ms, rtt.avg_ms, rtt.best_ms, rtt.worst_ms, rtt.stdev_ms, rtt.jitter_avg_ms)
    return "".join(f"{_num(v):>7}" for v in cells)


def _hop_lines(hop: HopSnapshot, lookup: Lookup | None, numeric: bool) -> list[str]:
    """A single responder shares the hop's line; several (ECMP) get a line each under the hop's totals."""
    ecmp = len(hop.responders) > 1
    if ecmp:
        first = f"{len(hop.responders)} responders"
    else:
        first = responder_label(hop.responders[0], lookup, numeric) if hop.responders else "???"
    lines = [f"{hop.ttl:>3}. {first:<{HOST_WIDTH}} {hop.loss_pct:>5.1f}% {hop.sent:>5}{_rtt_cells(hop.rtt)}"]
    if ecmp:
        for responder in hop.responders:
            label = responder_label(responder, lookup, numeric)
            share = f"{responder.received}/{hop.received}"
            lines.append(f"     {label:<{HOST_WIDTH - 1}} {share:>13}{_rtt_cells(responder.rtt)}")
    return lines


def render_text(snapshot: TraceSnapshot, lookup: Lookup | None = None, numeric: bool = False) -> str:
    setting = snapshot.setting
    target = snapshot.host if snapshot.host == snapshot.target else f"{snapshot.host} ({snapshot.target})"
    status = "reached" if snapshot.reached else "destination not reached"
    lines = [
        f"tuitrace to {target}  {setting.label}  {snapshot.mode.value}  {snapshot.rounds} rounds  {status}",
        f"{'TTL':>4} {'Host':<{HOST_WIDTH}} {'Loss%':>6} {'Snt':>5}"
        f"{'Last':>7}{'Avg':>7}{'Best':>7}{'Wrst':>7}{'StDev':>7}{'Javg':>7}",
    ]
    for hop in snapshot.hops:
        lines.extend(_hop_lines(hop, lookup, numeric))
    return "\n".join(lines) + "\n"
