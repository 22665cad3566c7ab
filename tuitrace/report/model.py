"""One flat view of a snapshot shared by every renderer, so text, JSON and CSV never disagree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tuitrace.enrich.info import EMPTY_INFO, EnrichInfo
from tuitrace.stats.snapshot import HopSnapshot, ResponderSnapshot, TraceSnapshot

Lookup = Callable[[str], EnrichInfo | None]


def info_for(lookup: Lookup | None, address: str) -> EnrichInfo:
    if lookup is None:
        return EMPTY_INFO
    return lookup(address) or EMPTY_INFO


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def responder_dict(responder: ResponderSnapshot, lookup: Lookup | None) -> dict[str, Any]:
    info = info_for(lookup, responder.address)
    rtt = responder.rtt
    return {
        "address": responder.address,
        "received": responder.received,
        "share_pct": round(responder.share_pct, 1),
        "last_ms": _ms(rtt.last_ms),
        "avg_ms": _ms(rtt.avg_ms),
        "best_ms": _ms(rtt.best_ms),
        "worst_ms": _ms(rtt.worst_ms),
        "stdev_ms": _ms(rtt.stdev_ms),
        "annotations": list(responder.annotations),
        "is_target": responder.is_target,
        "reply_ttl": responder.reply_ttl,
        "hostname": info.hostname,
        "asn": info.asn,
        "as_name": info.as_name,
        "prefix": info.prefix,
        "country": info.country,
        "city": info.city,
        "label": info.label,
    }


def hop_dict(hop: HopSnapshot, lookup: Lookup | None) -> dict[str, Any]:
    rtt = hop.rtt
    return {
        "ttl": hop.ttl,
        "sent": hop.sent,
        "received": hop.received,
        "loss_pct": round(hop.loss_pct, 1),
        "last_ms": _ms(rtt.last_ms),
        "avg_ms": _ms(rtt.avg_ms),
        "best_ms": _ms(rtt.best_ms),
        "worst_ms": _ms(rtt.worst_ms),
        "stdev_ms": _ms(rtt.stdev_ms),
        "jitter_ms": _ms(rtt.jitter_ms),
        "jitter_avg_ms": _ms(rtt.jitter_avg_ms),
        "jitter_max_ms": _ms(rtt.jitter_max_ms),
        "responders": [responder_dict(r, lookup) for r in hop.responders],
    }


def report_dict(snapshot: TraceSnapshot, lookup: Lookup | None = None) -> dict[str, Any]:
    return {
        "target": {"host": snapshot.host, "address": snapshot.target},
        "family": snapshot.family,
        "protocol": snapshot.setting.protocol.value,
        "port": snapshot.setting.port,
        "mode": snapshot.mode.value,
        "rounds": snapshot.rounds,
        "interval_s": snapshot.interval,
        "sendwait_s": snapshot.sendwait,
        "reached": snapshot.reached,
        "path_length": snapshot.path_length,
        "probes_sent": snapshot.probes_sent,
        "dropped": snapshot.dropped,
        "hops": [hop_dict(h, lookup) for h in snapshot.hops],
    }
