"""blocked, routing_loop, return_asymmetry and destination_silent on hand-built snapshots."""

from __future__ import annotations

from tests.unit.diagnose.build import TARGET, Hop, snapshot
from tuitrace.config import Protocol, Setting
from tuitrace.diagnose.finding import Kind, Severity
from tuitrace.diagnose.path import blocked, destination_silent, return_asymmetry, return_hops, routing_loop
from tuitrace.diagnose.rules import diagnose

LDAP = Setting(Protocol.TCP, 389)
DNS = Setting(Protocol.UDP, 53)


def test_a_rejecting_firewall_is_named_with_protocol_port_and_meaning() -> None:
    hops = [Hop(f"10.0.0.{i}", 5, 5) for i in range(1, 6)] + [Hop("10.0.0.5", 5, 5, ("!X",))]
    (finding,) = blocked(snapshot(hops, setting=LDAP))
    assert finding.text == "TCP/389 is administratively prohibited by 10.0.0.5 at hop 6."
    assert (finding.ttl, finding.address, finding.severity) == (6, "10.0.0.5", Severity.PROBLEM)
    assert finding.value("code") == "!X" and finding.value("port") == 389


def test_other_marks_say_what_they_mean() -> None:
    hops = [Hop("10.0.0.1", 5, 5), Hop("10.0.0.2", 5, 5, ("!F-1400",))]
    (finding,) = blocked(snapshot(hops, setting=DNS))
    assert "MTU 1400" in finding.text and "UDP/53" in finding.text
    (unknown,) = blocked(snapshot([Hop("10.0.0.9", 3, 3, ("!7",))]))
    assert "code 7" in unknown.text


def test_a_loop_names_its_addresses_and_first_ttl() -> None:
    hops = [Hop("10.0.0.1", 5, 5), Hop("10.0.0.2", 5, 5)]
    hops += [Hop("10.0.0.3" if i % 2 == 0 else "10.0.0.4", 5, 5) for i in range(8)]
    (finding,) = routing_loop(snapshot(hops))
    assert (finding.kind, finding.ttl) == (Kind.ROUTING_LOOP, 3)
    assert finding.value("addresses") == "10.0.0.3 10.0.0.4"
    assert "10.0.0.3, 10.0.0.4" in finding.text


def test_routers_met_again_in_a_loop_are_not_return_asymmetry() -> None:
    """In a loop the router at TTL 7 is really 3 hops away and answers over 3 hops: only the loop."""
    hops = [Hop("10.0.0.1", 5, 5), Hop("10.0.0.2", 5, 5)]
    hops += [Hop("10.0.0.3", 5, 5, reply_ttl=62) if i % 2 == 0 else Hop("10.0.0.4", 5, 5, reply_ttl=61)
             for i in range(8)]
    assert [f.kind for f in diagnose(snapshot(hops))] == [Kind.ROUTING_LOOP]


def test_a_repeated_address_is_no_loop_when_the_destination_answers() -> None:
    hops = [Hop("10.0.0.1", 5, 5), Hop("10.0.0.2", 5, 5), Hop("10.0.0.1", 5, 5), Hop("10.0.0.2", 5, 5),
            Hop(TARGET, 5, 5)]
    assert routing_loop(snapshot(hops)) == ()


def test_one_address_at_several_ttls_is_not_called_a_loop() -> None:
    """A NAT or a firewall rewriting the source looks like that too: no cycle of two or more, no loop."""
    hops = [Hop("10.0.0.1", 5, 5)] + [Hop("10.0.0.9", 5, 5)] * 6
    assert routing_loop(snapshot(hops, reached=False)) == ()


def test_return_hops_guess_the_initial_ttl() -> None:
    assert return_hops(64) == (64, 1)
    assert return_hops(120) == (128, 9)
    assert return_hops(250) == (255, 6)


def test_a_much_longer_return_path_is_reported_at_the_destination() -> None:
    hops = [Hop("10.0.0.1", 5, 5), Hop("10.0.0.2", 5, 5), Hop(TARGET, 5, 5, reply_ttl=118)]
    (finding,) = return_asymmetry(snapshot(hops))
    assert (finding.ttl, finding.address) == (3, TARGET)
    assert (finding.value("return_hops"), finding.value("initial_ttl")) == (11, 128)
    assert "8 hops longer" in finding.text


def test_two_hops_of_difference_are_not_asymmetry() -> None:
    hops = [Hop("10.0.0.1", 5, 5), Hop("10.0.0.2", 5, 5), Hop(TARGET, 5, 5, reply_ttl=251)]
    assert return_asymmetry(snapshot(hops)) == ()


def test_a_silent_udp_destination_may_be_an_open_port() -> None:
    hops = [Hop("10.0.0.1", 8, 8), Hop("10.0.0.2", 8, 8), Hop(None, 8, 0)]
    (finding,) = destination_silent(snapshot(hops, setting=DNS))
    assert (finding.ttl, finding.address, finding.severity) == (3, TARGET, Severity.WARNING)
    assert "open" in finding.text and "UDP/53" in finding.text
    assert destination_silent(snapshot(hops)) == ()
    early = [Hop("10.0.0.1", 1, 1), Hop(None, 1, 0)]
    assert destination_silent(snapshot(early, setting=DNS)) == ()


def test_findings_come_most_severe_first() -> None:
    hops = [Hop("10.0.0.1", 5, 5), Hop("10.0.0.2", 5, 5, reply_ttl=50), Hop("10.0.0.3", 5, 5, ("!X",))]
    kinds = [f.kind for f in diagnose(snapshot(hops, setting=LDAP))]
    assert kinds == [Kind.BLOCKED, Kind.RETURN_ASYMMETRY]
