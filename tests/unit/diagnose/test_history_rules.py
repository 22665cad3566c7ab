"""``path_change``: from the timeline's events, for fixed flows only, since the current setting began."""

from __future__ import annotations

from tuitrace.config import Protocol, Setting
from tuitrace.diagnose.finding import Kind, Severity
from tuitrace.diagnose.history import path_change
from tuitrace.diagnose.rules import diagnose
from tuitrace.timeline.events import Event, EventKind

from .build import TARGET, Hop, snapshot

PATH = [Hop("10.0.0.1", 20, 20), Hop("10.0.1.1", 20, 20), Hop(TARGET, 20, 20)]


def change(t_s: float, ttl: int, new: str) -> Event:
    return Event(f"2026-12-01T14:00:{int(t_s):02d}.000Z", t_s, EventKind.PATH_CHANGE, ttl, new, None,
                 f"The route changed at hop {ttl}: 10.0.1.1 was replaced by {new}.")


SETTING = Event("2026-12-01T14:00:00.000Z", 0.0, EventKind.SETTING, None, None, None, "Now TCP/443.")


def test_changes_at_one_hop_are_one_finding_with_the_count_and_the_latest() -> None:
    events = [change(5, 2, "10.0.1.7"), change(9, 2, "10.0.1.1"), change(12, 2, "10.0.1.7")]
    (finding,) = path_change(snapshot(PATH), events)
    assert (finding.kind, finding.ttl, finding.address) == (Kind.PATH_CHANGE, 2, "10.0.1.7")
    assert finding.severity is Severity.WARNING
    assert finding.value("changes") == 3 and finding.value("latest_t_s") == 12
    assert "hop 2 3 times" in finding.text and "replaced by 10.0.1.7" in finding.text


def test_two_hops_are_two_findings_and_diagnose_includes_them() -> None:
    events = [change(5, 2, "10.0.1.7"), change(6, 1, "10.0.0.9")]
    assert [f.ttl for f in diagnose(snapshot(PATH), events)] == [1, 2]


def test_classic_udp_never_says_the_path_changed() -> None:
    classic = snapshot(PATH, setting=Setting(Protocol.UDP, None))
    assert path_change(classic, [change(5, 2, "10.0.1.7")]) == ()


def test_only_changes_after_the_last_setting_event_count() -> None:
    assert path_change(snapshot(PATH), [change(5, 2, "10.0.1.7"), SETTING]) == ()
    assert len(path_change(snapshot(PATH), [change(5, 2, "10.0.1.7"), SETTING, change(8, 2, "x")])) == 1


def test_no_events_no_finding() -> None:
    assert path_change(snapshot(PATH), []) == ()
    assert all(f.kind is not Kind.PATH_CHANGE for f in diagnose(snapshot(PATH)))
