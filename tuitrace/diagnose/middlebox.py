"""``middlebox_answer``: a TCP answer that carries the destination's address but was sent by a device in
front of it (a firewall's forged RST, a load balancer's SYN-ACK).

Decided from the reply TTLs of the TTL check (:class:`tuitrace.stats.snapshot.TtlCheck`): each reply's
distance is estimated as in ``return_hops`` (the initial TTL guessed as the smallest of 64, 128, 255 not
below what arrived). The destination's own ICMP echo replies are the reference. A TCP answer is flagged
when it comes from at least ``NEARER_HOPS`` hops nearer than *every* echo reply: the destination's TCP and
ICMP replies start with one of the usual initial TTLs and come back over its return path, so they give
the same distance, or one hop apart when per-flow ECMP on the way back takes paths of unequal length; a
reply from two or more hops nearer was sent by something nearer. The price: a middlebox on the very last
link before the destination (one hop nearer) is not told apart. At least ``MIN_ECHO_REPLIES`` echo
replies are needed; without them (ICMP filtered, no ping socket) nothing is said. The finding's hop is
the estimated distance of the real sender.
"""

from __future__ import annotations

from collections.abc import Iterable

from tuitrace.diagnose.finding import Evidence, Finding, Kind, Severity
from tuitrace.diagnose.path import return_hops
from tuitrace.stats.snapshot import TraceSnapshot

MIN_ECHO_REPLIES = 2
"""Echo replies needed before the destination's distance counts as known."""
NEARER_HOPS = 2
"""How much nearer than the destination's echo replies a TCP answer must come from to be flagged."""


def middlebox_answer(snapshot: TraceSnapshot) -> tuple[Finding, ...]:
    check = snapshot.ttl_check
    if check is None or not check.answer_reply_ttls:
        return ()
    if sum(count for _, count in check.echo_reply_ttls) < MIN_ECHO_REPLIES:
        return ()
    echo_ttl, echo_hops = min(((ttl, return_hops(ttl)[1]) for ttl, _ in check.echo_reply_ttls),
                              key=lambda pair: pair[1])
    flagged = [(ttl, count) for ttl, count in check.answer_reply_ttls
               if return_hops(ttl)[1] <= echo_hops - NEARER_HOPS]
    if not flagged:
        return ()
    answers = sum(count for _, count in check.answer_reply_ttls)
    forged = sum(count for _, count in flagged)
    answer_ttl = max(flagged, key=lambda pair: pair[1])[0]
    sender_hop = return_hops(answer_ttl)[1]
    label, target = snapshot.setting.label, snapshot.target
    measured = (
        f"they arrive with TTL {answer_ttl} (about {sender_hop} hops away) while the destination's ICMP echo "
        f"replies arrive with TTL {echo_ttl} (about {echo_hops} hops away)"
    )
    every = forged == answers
    if every:
        severity = Severity.PROBLEM
        text = (f"The {label} answers from {target} were sent by a middlebox near hop {sender_hop}, not by "
                f"the destination: {measured}.")
    else:
        severity = Severity.WARNING
        text = (f"{forged} of {answers} {label} answers from {target} were sent by a middlebox near hop "
                f"{sender_hop}, the others by the destination: {measured}.")
    evidence = (
        Evidence("answer_reply_ttl", answer_ttl),
        Evidence("answer_hops", sender_hop),
        Evidence("echo_reply_ttl", echo_ttl),
        Evidence("echo_hops", echo_hops),
        Evidence("flagged_answers", forged),
        Evidence("answers", answers),
        Evidence("echo_sent", check.echo_sent),
        Evidence("echo_received", check.echo_received),
        Evidence("every_answer_flagged", int(every)),
    )
    return (Finding(Kind.MIDDLEBOX_ANSWER, sender_hop, target, severity, text, evidence),)


def middlebox_hop(findings: Iterable[Finding]) -> int | None:
    """The hop near which a middlebox sent every answer that claims to be the destination's, if one did:
    then the destination is not reached, whatever the answers say."""
    for finding in findings:
        if finding.kind is Kind.MIDDLEBOX_ANSWER and finding.value("every_answer_flagged") == 1:
            return finding.ttl
    return None
