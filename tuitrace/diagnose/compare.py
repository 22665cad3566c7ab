"""Compare mode's analysis: where the paths of several settings (ICMP, UDP, TCP/443...) to one target differ.

Pure, like every rule here: snapshots in (one per setting, the first is the reference), values out — the
table of every hop once with each setting's numbers, the divergences, a one-line verdict, and
``protocol_divergence`` findings. What counts as a divergence, for each setting against the reference:

- **other routers**: at a TTL where both answered, no responder in common (another ECMP branch when the
  paths meet again later, "leaves the path" when they do not);
- **blocked**: the setting's path ends in a mark (``!X``, ``!H``...) that the reference's does not end in
  at that TTL: traffic of that protocol/port is rejected there;
- **silent**: the setting's path is not reached and nothing answers past a TTL where the reference goes
  on (a firewall that drops, or a destination that does not answer that port).

The reference is judged against the others the same way when it is the one stopped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tuitrace.config import Setting
from tuitrace.diagnose.finding import Evidence, Finding, Kind, Severity
from tuitrace.diagnose.path import CODE_MEANINGS
from tuitrace.stats.snapshot import HopSnapshot, TraceSnapshot

OTHER_ROUTERS = "other_routers"
BLOCKED = "blocked"
SILENT = "silent"


@dataclass(frozen=True, slots=True)
class SettingHop:
    """One setting's numbers at one TTL."""

    responders: tuple[str, ...]
    """Who answered, most replies first; empty for a silent hop."""
    sent: int
    received: int
    loss_pct: float
    avg_ms: float | None
    annotations: tuple[str, ...]
    reached: bool
    """The target itself answered here."""


@dataclass(frozen=True, slots=True)
class CompareHop:
    ttl: int
    cells: tuple[SettingHop | None, ...]
    """Per setting, in the order of the settings; ``None`` beyond that setting's path."""
    marks: tuple[str, ...]
    """What differs here, as words: ``other routers``, ``TCP/443 blocked (!X)``, ``UDP silent``."""

    @property
    def responders_differ(self) -> bool:
        """The settings' main responders at this hop are not all the same."""
        return len({cell.responders[:1] for cell in self.cells if cell is not None and cell.responders}) > 1

    @property
    def shared_responder(self) -> str:
        """The responder the settings share here (the first setting's that answered), ``???`` for none."""
        firsts = (cell.responders[0] for cell in self.cells if cell is not None and cell.responders)
        return next(firsts, "???")


@dataclass(frozen=True, slots=True)
class Divergence:
    ttl: int
    kind: str
    """``other_routers``, ``blocked`` or ``silent``."""
    setting: Setting
    reference: Setting
    text: str
    responder: str | None = None
    annotation: str | None = None
    rejoins: int | None = None
    """For other routers: the TTL where the paths meet again (an ECMP branch), if they do."""


@dataclass(frozen=True, slots=True)
class Comparison:
    settings: tuple[Setting, ...]
    hops: tuple[CompareHop, ...]
    divergences: tuple[Divergence, ...]
    verdict: str

    @property
    def responder_per_setting(self) -> bool:
        """Each setting needs a responder of its own in a table: at some hop the responders differ or a
        setting's has marks (``!X``...)."""
        return any(hop.responders_differ for hop in self.hops) or any(
            cell is not None and cell.annotations for hop in self.hops for cell in hop.cells)


def setting_hop(hop: HopSnapshot) -> SettingHop:
    answered = sorted((r for r in hop.responders if r.received), key=lambda r: -r.received)
    return SettingHop(
        responders=tuple(r.address for r in answered),
        sent=hop.sent,
        received=hop.received,
        loss_pct=round(hop.loss_pct, 1),
        avg_ms=None if hop.rtt.avg_ms is None else round(hop.rtt.avg_ms, 3),
        annotations=tuple(dict.fromkeys(a for r in answered for a in r.annotations)),
        reached=any(r.is_target for r in answered),
    )


def _by_ttl(snapshot: TraceSnapshot) -> dict[int, SettingHop]:
    return {hop.ttl: setting_hop(hop) for hop in snapshot.hops}


@dataclass(frozen=True, slots=True)
class _Path:
    """One setting's path, as the comparison reads it."""

    setting: Setting
    hops: dict[int, SettingHop]
    reached: bool
    end: int | None

    @property
    def measured(self) -> bool:
        """Some probe of it has resolved (a setting added a moment ago has nothing to judge yet)."""
        return any(hop.sent for hop in self.hops.values())

    @property
    def last_answer(self) -> int | None:
        answered = [ttl for ttl, hop in self.hops.items() if hop.received]
        return max(answered) if answered else None

    @property
    def stop(self) -> tuple[int, SettingHop] | None:
        """Where a mark ended the path short of the target: (TTL, that hop)."""
        if self.reached or self.end is None:
            return None
        hop = self.hops.get(self.end)
        if hop is None or not hop.annotations or hop.reached:
            return None
        return self.end, hop

    @property
    def goes_to(self) -> int:
        """How far the path is known to go: its end, else its last answer."""
        return self.end or self.last_answer or 0


def _other_routers(path: _Path, reference: _Path) -> list[Divergence]:
    """Runs of TTLs where both answered and no responder is shared; the run's end says if they rejoin. The
    TTL where either path is stopped by a mark is left out: the stop explains the other responder there."""
    found: list[Divergence] = []
    start: int | None = None
    stops = {stop[0] for stop in (path.stop, reference.stop) if stop is not None}
    ttls = sorted((set(path.hops) & set(reference.hops)) - stops)
    for ttl in ttls:
        mine, theirs = path.hops[ttl], reference.hops[ttl]
        if not mine.responders or not theirs.responders:
            continue
        differ = not set(mine.responders) & set(theirs.responders)
        if differ and start is None:
            start = ttl
        elif not differ and start is not None:
            found.append(_differ(path, reference, start, ttl))
            start = None
    if start is not None:
        found.append(_differ(path, reference, start, None))
    return found


def _differ(path: _Path, reference: _Path, ttl: int, rejoins: int | None) -> Divergence:
    name, ref = path.setting.label, reference.setting.label
    responder = path.hops[ttl].responders[0]
    if rejoins is None:
        text = f"{name} leaves the {ref} path at hop {ttl} ({responder})"
    else:
        span = f"hop {ttl}" if rejoins == ttl + 1 else f"hops {ttl}-{rejoins - 1}"
        text = f"{name} takes other routers than {ref} at {span} and rejoins at hop {rejoins}"
    return Divergence(ttl, OTHER_ROUTERS, path.setting, reference.setting, text, responder, rejoins=rejoins)


def _stopped(path: _Path, reference: _Path) -> Divergence | None:
    """``path`` stops (a mark, or silence) where ``reference`` goes on."""
    name, ref = path.setting.label, reference.setting.label
    stop = path.stop
    if stop is not None:
        ttl, hop = stop
        theirs = reference.hops.get(ttl)
        other_mark = theirs is not None and set(theirs.annotations) != set(hop.annotations)
        if reference.goes_to > ttl or other_mark:
            mark = hop.annotations[0]
            meaning = CODE_MEANINGS.get(mark, "rejected")
            text = f"{name} is blocked at hop {ttl} ({mark}, {meaning}) by {hop.responders[0]}"
            return Divergence(ttl, BLOCKED, path.setting, reference.setting, text, hop.responders[0], mark)
        return None
    if path.reached or not reference.reached:
        return None
    last = path.last_answer or 0
    if last >= reference.goes_to:
        return None
    text = (f"{name} gets no answer beyond hop {last} where {ref} goes on to hop {reference.goes_to}"
            if last else f"{name} gets no answer at all where {ref} does")
    return Divergence(last + 1, SILENT, path.setting, reference.setting, text)


def compare_paths(snapshots: Mapping[Setting, TraceSnapshot]) -> Comparison:
    """Every hop once with each setting's numbers, the divergences from the first setting, the verdict."""
    settings = tuple(snapshots)
    paths = [_Path(s, _by_ttl(snap), snap.reached, snap.path_length) for s, snap in snapshots.items()]
    reference = paths[0]
    divergences: list[Divergence] = []
    for path in paths[1:] if reference.measured else ():
        if not path.measured:
            continue
        divergences.extend(_other_routers(path, reference))
        for stopped, other in ((path, reference), (reference, path)):
            found = _stopped(stopped, other)
            if found is not None and found not in divergences:
                divergences.append(found)
    divergences.sort(key=lambda d: (d.ttl, settings.index(d.setting)))
    ttls = sorted({ttl for path in paths for ttl in path.hops})
    hops = tuple(CompareHop(ttl, tuple(path.hops.get(ttl) for path in paths), _marks(ttl, divergences))
                 for ttl in ttls)
    return Comparison(settings, hops, tuple(divergences), verdict(paths, divergences))


def _marks(ttl: int, divergences: Sequence[Divergence]) -> tuple[str, ...]:
    marks: list[str] = []
    for d in divergences:
        if d.kind == OTHER_ROUTERS and d.ttl <= ttl < (d.rejoins or 256):
            marks.append(f"{d.setting.label} other routers")
        elif d.kind == BLOCKED and d.ttl == ttl:
            marks.append(f"{d.setting.label} blocked ({d.annotation})")
        elif d.kind == SILENT and d.ttl == ttl:
            marks.append(f"{d.setting.label} silent")
    return tuple(dict.fromkeys(marks))


def verdict(paths: Sequence[_Path], divergences: Sequence[Divergence]) -> str:
    """One line: what differs, per setting, or that nothing does."""
    names = [path.setting.label for path in paths]
    if not divergences:
        together = ", ".join(names[:-1]) + f" and {names[-1]}"
        if all(path.reached for path in paths):
            return f"{together} take the same path and reach the destination."
        return f"{together} take the same path; none has reached the destination yet."
    parts: list[str] = []
    for path in paths:
        own = [d for d in divergences if d.setting == path.setting]
        if not own:
            continue
        lasting = [d for d in own if d.kind != OTHER_ROUTERS or d.rejoins is None]
        own = lasting or own  # another ECMP branch that rejoins is in the table, not the verdict
        words = [own[0].text]
        words.extend(_short(d) for d in own[1:])
        parts.append(" and ".join(words))
    return "; ".join(parts) + "."


def _short(divergence: Divergence) -> str:
    """A later divergence of the same setting, without repeating its name."""
    name = divergence.setting.label
    return divergence.text.removeprefix(f"{name} ")


def divergence_findings(comparison: Comparison) -> tuple[Finding, ...]:
    """``protocol_divergence`` findings: one per divergence, most severe first."""
    severity = {BLOCKED: Severity.PROBLEM, SILENT: Severity.WARNING, OTHER_ROUTERS: Severity.INFO}
    findings = []
    for d in comparison.divergences:
        evidence = [Evidence("setting", d.setting.label), Evidence("reference", d.reference.label),
                    Evidence("divergence", d.kind)]
        if d.annotation is not None:
            evidence.append(Evidence("annotation", d.annotation))
        if d.rejoins is not None:
            evidence.append(Evidence("rejoins_at", d.rejoins))
        findings.append(Finding(Kind.PROTOCOL_DIVERGENCE, d.ttl, d.responder, severity[d.kind], d.text + ".",
                                tuple(evidence)))
    findings.sort(key=lambda f: (-f.severity.rank, f.ttl or 0))
    return tuple(findings)
