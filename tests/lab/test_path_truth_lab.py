"""No invented rows, against real kernel routers (issue 9, items 7 and 8).

Path-length rediscovery probes beyond the end of the path; what comes back from there is not a hop. Two
cases that used to fill the table with up to 30 rows: an outage longer than the rediscovery window (the
first router's link taken down, then brought back), and a rejecting router whose ``!X`` is rate limited.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.lab.conftest import REJECTED_TCP_PORT
from tests.lab.netlab import Lab
from tests.lab.test_lab_selfcheck import on_one_path
from tests.lab.topology import FAMILIES, Family
from tests.lab.tuitrace_run import Report, addresses, environment, finish, path, responder, tuitrace_argv

pytestmark = pytest.mark.lab

INTERVAL = 0.05
SETTLE_S = 4.0
"""Time for tuitrace to start and trace the whole path before the outage (Python starts in ~1 s)."""


def start(lab: Lab, family: Family, rounds: int) -> tuple[list[str], subprocess.Popen[bytes]]:
    argv = tuitrace_argv(family, "icmp", lab.target(family), rounds=rounds, interval=INTERVAL, wait=0.5)
    return argv, lab.popen("src", argv, env=environment())


def assert_ends_at_dst(lab: Lab, family: Family, report: Report) -> None:
    """Rows 1..5 and nothing beyond; the destination shows at TTL 5 only."""
    length = len(lab.expected_hops(family))
    assert [hop["ttl"] for hop in report["hops"]] == list(range(1, length + 1)), "rows beyond the path"
    assert report["path_length"] == length
    *before, last = report["hops"]
    assert [(r["address"], r["is_target"]) for r in last["responders"]] == [(lab.target(family), True)]
    assert not any(lab.target(family) in addresses(hop) for hop in before)


@pytest.mark.parametrize("family", FAMILIES)
def test_an_outage_longer_than_rediscovery_invents_no_row_and_the_path_comes_back(
    lab: Lab, family: Family
) -> None:
    # Rounds of 50 ms: the outage below lasts far longer than the 5 silent rounds that start rediscovery.
    ends_in_outage = start(lab, family, rounds=int((SETTLE_S + 4.0) / INTERVAL))
    sees_recovery = start(lab, family, rounds=int((SETTLE_S + 10.0) / INTERVAL))
    time.sleep(SETTLE_S)
    with lab.link_down("r1", "src"):
        during = finish(*ends_in_outage)
    after = finish(*sees_recovery)

    # During the outage src's own stack may answer !H (its neighbour r1 is gone) at TTL 1: as in
    # traceroute, that final answer ends the path there. Whatever ends it, no row lies beyond the real
    # path, the destination shows nowhere but at its own TTL, and it is not reached.
    length = len(lab.expected_hops(family))
    shown = [hop["ttl"] for hop in during["hops"]]
    assert during["path_length"] is not None and shown == list(range(1, during["path_length"] + 1))
    assert shown[-1] <= length, f"rows beyond the path: {shown}"
    assert not any(lab.target(family) in addresses(hop) for hop in during["hops"][: length - 1])
    assert during["reached"] is False, "the destination stopped answering: not reached"
    assert during["hops"][0]["received"] < during["hops"][0]["sent"], "the outage shows as loss"

    assert_ends_at_dst(lab, family, after)
    assert after["reached"] is True
    expected = lab.expected_hops(family)
    assert on_one_path(path(after)[1:], expected[1:]), path(after)
    first = after["hops"][0]
    assert lab.address("r1", family) in addresses(first)
    assert addresses(first) <= {lab.address("r1", family), lab.address("src", family)}, "r1, or src's own !H"
    assert 0 < first["received"] < first["sent"]


@pytest.mark.parametrize("family", FAMILIES)
def test_a_rate_limited_rejection_ends_the_path_at_the_rejecting_router(lab: Lab, family: Family) -> None:
    r4, rejecting_ttl = lab.address("r4", family), 5
    argv = tuitrace_argv(family, "tcp", lab.target(family), rounds=100, interval=INTERVAL, wait=0.5,
                         extra=["-p", str(REJECTED_TCP_PORT)])
    with lab.reject_tcp_port("r4", REJECTED_TCP_PORT), lab.default_icmp_ratelimit("r4"):
        report = finish(argv, lab.popen("src", argv, env=environment()))
    assert [hop["ttl"] for hop in report["hops"]] == list(range(1, rejecting_ttl + 1)), "rows beyond the !X"
    assert (report["path_length"], report["reached"]) == (rejecting_ttl, False)
    last = report["hops"][-1]
    assert addresses(last) == {r4}
    assert "!X" in responder(last, r4)["annotations"]
    assert last["received"] < last["sent"], "the rate limit really dropped answers"
    assert not any(lab.target(family) in addresses(hop) for hop in report["hops"])
