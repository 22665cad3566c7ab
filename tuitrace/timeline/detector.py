"""The event detector: probe results and setting changes in, timestamped events out.

Sans-I/O like the tracer: no clock, no socket; the engine passes each result with the time it collected
it, and the detector tells the story the totals hide. The rules, one per event kind:

- ``path_change`` (fixed flow only: ICMP, fixed-port UDP, TCP): a hop's responder differs from the one the
  route went through, twice in a row (``CONFIRM_ANSWERS``; one stray answer is not a route). With classic
  UDP every probe is a new flow, so a new ECMP branch is normal and never a change.
- ``responder_gone``: a hop that answered is silent for ``GONE_AFTER`` probes in a row while the end of the
  path still answers (when the end is silent too, it is a loss burst, not one hop).
  ``responder_new``: a hop that was gone answers again; a hop silent from the start begins to answer;
  with classic UDP, an address not seen at that hop before, once the hop has answered ``WARMUP_ANSWERS``
  times (the branches found in the first answers are the path, not news).
- ``loss_burst``: ``BURST_LOSSES`` or more losses in a row at the end of the path (the destination, or the
  deepest hop that answers), reported when it ends, from the first lost probe to the first answered one.
  Only that one TTL is watched, so an outage that silences every hop is one event.
- ``reached`` / ``lost`` / ``unreachable``: the destination's state changed (``lost`` when a loss burst
  begins at a destination that answered; ``unreachable`` with its annotation, e.g. ``!X``).
- ``rtt_shift``: a sustained change of a hop's RTT level (:mod:`tuitrace.timeline.changepoint`).
- ``setting``: protocol, port, sendwait or interval changed.

Times are the probes' send times (estimated: collected time less the RTT, or less the wait when lost), so
an event says when the network changed, not when the detector became sure. Memory is constant per hop
(:mod:`tuitrace.timeline.hops`) and events are handed over with ``take_events``.
"""

from __future__ import annotations

from tuitrace.config import Setting
from tuitrace.probe.types import Outcome, ProbeResult
from tuitrace.timeline.events import Clock, Event, EventKind
from tuitrace.timeline.hops import HopState, Timed

CONFIRM_ANSWERS = 2
GONE_AFTER = 5
WARMUP_ANSWERS = 10
BURST_LOSSES = 3
_NS = 1_000_000_000
_LOST, _TIME_EXCEEDED = Outcome.LOST, Outcome.TIME_EXCEEDED


class Timeline:
    def __init__(self, setting: Setting, wait_s: float, started_ns: int, started_epoch_s: float) -> None:
        self._clock = Clock(started_ns, started_epoch_s)
        self._wait_ns = int(wait_s * _NS)
        self._events: list[Event] = []
        self._setting = setting
        self._fixed_flow = setting.fixed_flow
        self._hops: dict[int, HopState] = {}
        self._end_ttl: int | None = None
        """TTL of the latest final answer (destination or unreachable): where the path ends."""
        self._deepest: int | None = None
        """Highest TTL that answered, watched when the end is not known."""
        self._end_answer_round = -1
        self._destination: EventKind | None = None
        self._annotation: str | None = None

    @property
    def clock(self) -> Clock:
        return self._clock

    # -- input ----------------------------------------------------------------------------------------
    def observe(self, result: ProbeResult, seen_ns: int) -> None:
        if result.setting is not self._setting and result.setting != self._setting:
            return  # a probe of the setting before a switch
        back = result.rtt_ns if result.rtt_ns is not None else self._wait_ns
        item = Timed(result, seen_ns - back, seen_ns)
        hop = self._hops.get(result.ttl)
        if hop is None:
            hop = self._hops[result.ttl] = HopState()
        for ready in hop.order.push(item, seen_ns, self._wait_ns):
            self._process(hop, ready)

    def setting_changed(self, text: str, now_ns: int, setting: Setting | None = None) -> None:
        """A key changed how probes are sent; a new ``setting`` (protocol, port) starts a new path."""
        self._emit(now_ns, EventKind.SETTING, text)
        if setting is not None and setting != self._setting:
            self._setting = setting
            self._fixed_flow = setting.fixed_flow
            self.forget()

    def forget(self) -> None:
        """Start the story of the path over (a new setting, or the statistics were reset)."""
        self._hops.clear()
        self._end_ttl = self._deepest = None
        self._end_answer_round = -1
        self._destination = self._annotation = None

    def finish(self) -> None:
        """The trace ended: decide what was held back, and close a loss burst still going."""
        for ttl in sorted(self._hops):
            hop = self._hops[ttl]
            for ready in hop.order.flush():
                self._process(hop, ready)
        watched = self._watched()
        last = self._hops.get(watched) if watched is not None else None
        if watched is not None and last is not None and last.loss_streak >= BURST_LOSSES:
            self._burst(watched, last, hop.last_loss_ns + self._round_gap(hop), None, ongoing=True)
            last.loss_streak = 0

    def take_events(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    # -- rules ----------------------------------------------------------------------------------------
    def _watched(self) -> int | None:
        return self._end_ttl if self._end_ttl is not None else self._deepest

    def _process(self, hop: HopState, item: Timed) -> None:
        result = item.result
        hop.probes += 1
        if result.outcome is _LOST or result.responder is None:
            self._lost(hop, result, item.sent_ns)
        else:
            self._answered(hop, result, result.responder, item.sent_ns)

    def _lost(self, hop: HopState, result: ProbeResult, sent_ns: int) -> None:
        if hop.loss_streak == 0:
            hop.streak_round, hop.streak_ns = result.round, sent_ns
        hop.loss_streak += 1
        hop.last_loss_ns = sent_ns
        ttl = result.ttl
        if ttl == self._watched():
            if hop.loss_streak == BURST_LOSSES and self._destination is EventKind.REACHED:
                self._destination = EventKind.LOST
                self._emit(hop.streak_ns, EventKind.LOST, f"The destination stopped answering at hop {ttl}.",
                           ttl=ttl)
            return
        if (
            not hop.gone
            and hop.answers
            and hop.loss_streak >= GONE_AFTER
            and self._end_answer_round > hop.streak_round
        ):
            hop.gone = True
            self._emit(hop.streak_ns, EventKind.RESPONDER_GONE,
                       f"Hop {ttl} ({hop.last_address}) stopped answering while the path beyond it answers.",
                       ttl=ttl, address=hop.last_address)

    def _answered(self, hop: HopState, result: ProbeResult, address: str, sent_ns: int) -> None:
        ttl = result.ttl
        final = result.outcome is not _TIME_EXCEEDED
        if final:
            self._end_ttl = ttl
        elif self._deepest is None or ttl > self._deepest:
            self._deepest = ttl
        if ttl == self._watched():
            self._end_answer_round = max(self._end_answer_round, result.round)
            if hop.loss_streak >= BURST_LOSSES:
                self._burst(ttl, hop, sent_ns, address, ongoing=False)
        if hop.gone or (hop.answers == 0 and hop.probes > WARMUP_ANSWERS):
            was = f" (it was {hop.last_address})" if hop.last_address not in (None, address) else ""
            again = "again" if hop.gone else "for the first time"
            self._emit(sent_ns, EventKind.RESPONDER_NEW, f"Hop {ttl} answers {again}, from {address}{was}.",
                       ttl=ttl, address=address)
            hop.gone = False
        hop.loss_streak = 0
        if final:
            self._destination_answer(result, address, sent_ns)
        if self._fixed_flow:
            if address != hop.current:
                self._other_responder(hop, ttl, address, sent_ns)
            else:
                hop.candidate = None
        else:
            self._new_branch(hop, ttl, address, sent_ns)
        if result.rtt_ns is not None:
            shift = hop.rtt.add(result.rtt_ns / 1e6, sent_ns)
            if shift is not None:
                self._emit(shift.since_ns, EventKind.RTT_SHIFT,
                           f"Hop {ttl} RTT moved from {shift.before_ms:.2f} ms to {shift.after_ms:.2f} ms.",
                           ttl=ttl, address=address)
        hop.answers += 1
        hop.last_address = address

    def _new_branch(self, hop: HopState, ttl: int, address: str, sent_ns: int) -> None:
        """Classic UDP: every probe is a new flow; only an address the hop has not shown is news."""
        if hop.remember(address) and hop.answers >= WARMUP_ANSWERS:
            self._emit(sent_ns, EventKind.RESPONDER_NEW, f"Hop {ttl} has a new responder, {address}.",
                       ttl=ttl, address=address)

    def _other_responder(self, hop: HopState, ttl: int, address: str, sent_ns: int) -> None:
        """A fixed flow answered from another address than the route's: a path change once confirmed."""
        if hop.current is None:
            hop.current, hop.candidate, hop.candidate_count = address, None, 0
            return
        if address != hop.candidate:
            hop.candidate, hop.candidate_count, hop.candidate_ns = address, 0, sent_ns
        hop.candidate_count += 1
        if hop.candidate_count >= CONFIRM_ANSWERS:
            self._emit(hop.candidate_ns, EventKind.PATH_CHANGE,
                       f"The route changed at hop {ttl}: {hop.current} was replaced by {address}.",
                       ttl=ttl, address=address)
            hop.current, hop.candidate, hop.candidate_count = address, None, 0
            hop.rtt.restart()

    def _destination_answer(self, result: ProbeResult, address: str, sent_ns: int) -> None:
        ttl = result.ttl
        if result.outcome is Outcome.REACHED:
            if self._destination is not EventKind.REACHED:
                again = " again" if self._destination is not None else ""
                text = f"The destination {address} answers{again} at hop {ttl}."
                self._emit(sent_ns, EventKind.REACHED, text, ttl=ttl, address=address)
                self._destination, self._annotation = EventKind.REACHED, None
            return
        mark = result.annotation or "!"
        if self._destination is not EventKind.UNREACHABLE or mark != self._annotation:
            self._emit(sent_ns, EventKind.UNREACHABLE, f"{address} at hop {ttl} says unreachable ({mark}).",
                       ttl=ttl, address=address)
            self._destination, self._annotation = EventKind.UNREACHABLE, mark

    def _burst(self, ttl: int, hop: HopState, end_ns: int, address: str | None, *, ongoing: bool) -> None:
        duration = (end_ns - hop.streak_ns) / _NS
        where = "the destination" if ttl == self._end_ttl else f"hop {ttl}, the last that answers"
        tail = ", still going when the trace ended" if ongoing else ""
        self._emit(hop.streak_ns, EventKind.LOSS_BURST,
                   f"{hop.loss_streak} probes in a row to {where} were lost ({duration:.1f} s{tail}).",
                   ttl=ttl, address=address, duration_s=duration)

    def _round_gap(self, hop: HopState) -> int:
        """Time a probe stands for when a burst ends without an answer: the spacing of its losses."""
        if hop.loss_streak < 2:
            return 0
        return (hop.last_loss_ns - hop.streak_ns) // (hop.loss_streak - 1)

    def _emit(self, at_ns: int, kind: EventKind, text: str, *, ttl: int | None = None,
              address: str | None = None, duration_s: float | None = None) -> None:
        self._events.append(self._clock.event(at_ns, kind, text, ttl=ttl, address=address,
                                              duration_s=duration_s))
