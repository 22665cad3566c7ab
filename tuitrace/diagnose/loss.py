"""Loss that carries on (``forward_loss``) versus loss of one router's replies only (``reply_loss_only``).

A probe that a router forwards but that is lost later is lost at every TTL beyond: loss that starts at a
hop and carries on to the destination is lost traffic. Loss that a router shows but later hops do not is
that router not answering every probe (ICMP rate limiting, control-plane policing), not lost traffic.

Both decisions are tests on the counts, never a threshold on one round:

- ``forward_loss``: the destination's loss is tested against ``BASELINE_LOSS`` with an exact one-sided
  binomial test at level ``ALPHA``. On a path whose true loss to the destination is at most
  ``BASELINE_LOSS``, a ``forward_loss`` finding appears in at most ``ALPHA`` (1%) of traces: that is the
  false-positive rate. The hop where it starts is the earliest of the answering hops before the
  destination whose own loss is also significant, skipping a hop that ``reply_loss_only`` names (its
  loss is significantly larger than the destination's at the same Bonferroni level, Fisher's exact test):
  that router adds reply loss of its own. At the plain ``ALPHA`` level, chance alone skipped a hop of a
  real forward loss in about 1% of traces and put the start on the destination.
  When only the destination loses, the finding is a warning that says it may limit its own replies.
- ``reply_loss_only``: a hop whose loss is significantly above ``BASELINE_LOSS`` and significantly larger
  than the loss at the destination (or at the last answering hop when the destination never answered),
  both at ``ALPHA`` divided by the number of hops tested (Bonferroni), so on a clean path the chance of
  any ``reply_loss_only`` finding in a trace is at most ``ALPHA``.
"""

from __future__ import annotations

from tuitrace.diagnose.binomial import at_least, loses_more
from tuitrace.diagnose.finding import Evidence, Finding, Kind, Severity
from tuitrace.diagnose.path import destination_hop, primary_address
from tuitrace.stats.snapshot import HopSnapshot, TraceSnapshot

BASELINE_LOSS = 0.01
"""Loss a healthy path may show (1%): only loss significantly above it is a finding."""
ALPHA = 0.01
"""Significance level of every loss test: the false-positive rate per trace."""


def _lost(hop: HopSnapshot) -> int:
    return hop.sent - hop.received


def _answering(hop: HopSnapshot) -> bool:
    return hop.sent > 0 and hop.received > 0


def _pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _per_hop_level(tested: int) -> float:
    """``ALPHA`` shared by the ``tested`` hops (Bonferroni): at most ``ALPHA`` per trace in all."""
    return ALPHA / max(1, tested)


def forward_loss(snapshot: TraceSnapshot) -> tuple[Finding, ...]:
    end = destination_hop(snapshot)
    if end is None or not _answering(end):
        return ()
    p_value = at_least(_lost(end), end.sent, BASELINE_LOSS)
    if p_value >= ALPHA:
        return ()
    start = end
    before = [h for h in snapshot.hops if h.ttl < end.ttl and _answering(h)]
    for hop in reversed(before):
        if at_least(_lost(hop), hop.sent, BASELINE_LOSS) >= ALPHA:
            break
        if loses_more(_lost(hop), hop.sent, _lost(end), end.sent) >= _per_hop_level(len(before)):
            start = hop
    where = primary_address(start)
    end_pct = _pct(_lost(end), end.sent)
    confidence = round(100.0 * (1.0 - p_value), 1)
    origin = f"hop {start.ttl}" if where is None else f"hop {start.ttl} ({where})"
    severity = Severity.PROBLEM
    text = (
        f"Traffic is lost from {origin} onward: {end_pct}% of {end.sent} probes to the destination "
        f"{snapshot.target} got no answer (confidence {confidence}%)."
    )
    if start is end:
        severity = Severity.WARNING
        text = (
            f"The destination {snapshot.target} leaves {end_pct}% of {end.sent} probes unanswered "
            f"(confidence {confidence}%) while no hop before it loses them: lost on the last link, or the "
            f"destination limits its own replies."
        )
    evidence = (
        Evidence("start_loss_pct", _pct(_lost(start), start.sent)),
        Evidence("start_sent", start.sent),
        Evidence("destination_loss_pct", end_pct),
        Evidence("destination_lost", _lost(end)),
        Evidence("destination_sent", end.sent),
        Evidence("p_value", p_value),
        Evidence("confidence_pct", confidence),
        Evidence("baseline_loss_pct", 100.0 * BASELINE_LOSS),
    )
    return (Finding(Kind.FORWARD_LOSS, start.ttl, where, severity, text, evidence),)


def reply_loss_only(snapshot: TraceSnapshot) -> tuple[Finding, ...]:
    answering = [h for h in snapshot.hops if _answering(h)]
    end = destination_hop(snapshot)
    reference = end if end is not None and _answering(end) else (answering[-1] if answering else None)
    if reference is None:
        return ()
    tested = [h for h in answering if h.ttl < reference.ttl]
    if not tested:
        return ()
    level = _per_hop_level(len(tested))
    findings: list[Finding] = []
    for hop in tested:
        above_baseline = at_least(_lost(hop), hop.sent, BASELINE_LOSS)
        more_than_later = loses_more(_lost(hop), hop.sent, _lost(reference), reference.sent)
        if above_baseline >= level or more_than_later >= level:
            continue
        where = primary_address(hop)
        who = f"hop {hop.ttl}" if where is None else f"{where} at hop {hop.ttl}"
        later = "the destination" if reference is end else f"hop {reference.ttl}"
        text = (
            f"{who} leaves {_pct(_lost(hop), hop.sent)}% of probes unanswered but {later} loses only "
            f"{_pct(_lost(reference), reference.sent)}%: that router limits its own replies (ICMP rate "
            f"limiting), traffic through it is not lost."
        )
        evidence = (
            Evidence("loss_pct", _pct(_lost(hop), hop.sent)),
            Evidence("sent", hop.sent),
            Evidence("later_ttl", reference.ttl),
            Evidence("later_loss_pct", _pct(_lost(reference), reference.sent)),
            Evidence("later_sent", reference.sent),
            Evidence("p_value", max(above_baseline, more_than_later)),
        )
        findings.append(Finding(Kind.REPLY_LOSS_ONLY, hop.ttl, where, Severity.INFO, text, evidence))
    return tuple(findings)
