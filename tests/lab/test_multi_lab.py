"""Several targets at once against real kernel routers: each trace is what it is alone, counts included.

Three targets behind the same routers, traced concurrently by one tuitrace: dst (reached at hop 5), and the
lab's two unreachable subnets behind r4 (``!N`` and ``!H``). Their probes and replies cross the same raw
sockets; each target's report must still show exactly its own path, every hop probed once per round and
answered once per round (the lab loses nothing), and dst's numbers must equal a trace of dst alone.
"""

from __future__ import annotations

import pytest

from tests.lab import topology
from tests.lab.netlab import Lab
from tests.lab.test_lab_selfcheck import on_one_path
from tests.lab.test_trace_lab import assert_counts_are_own
from tests.lab.tuitrace_run import REPO, Report, environment, parse_report, path, run_tuitrace, tuitrace_argv

pytestmark = pytest.mark.lab

ROUNDS = 10


def run_several(lab: Lab, targets: list[str]) -> list[Report]:
    argv = tuitrace_argv(4, "icmp", targets[-1], rounds=ROUNDS, extra=targets[:-1])  # hosts last, in order
    done = lab.run("src", argv, timeout=120, env=environment(), cwd=REPO)
    traces = parse_report(argv, done.returncode, done.stdout, done.stderr)["traces"]
    assert isinstance(traces, list)
    return traces


def test_three_targets_at_once_each_show_their_own_path_and_counts(lab: Lab) -> None:
    unreachable = [topology.unreachable(4, "!N"), topology.unreachable(4, "!H")]
    traces = run_several(lab, [lab.target(4), *(u.address for u in unreachable)])
    assert [t["target"]["address"] for t in traces] == [lab.target(4), *(u.address for u in unreachable)]
    dst, *others = traces
    expected = lab.expected_hops(4)
    assert dst["reached"] is True and dst["rounds"] == ROUNDS
    assert on_one_path(path(dst), expected), path(dst)
    assert_counts_are_own(dst, ROUNDS)
    assert all(hop["received"] == ROUNDS for hop in dst["hops"]), "the lab loses nothing"
    for trace, case in zip(others, unreachable, strict=True):
        assert trace["reached"] is False
        assert [hop["ttl"] for hop in trace["hops"]] == list(range(1, case.ttl + 1))
        assert_counts_are_own(trace, ROUNDS)
        last = trace["hops"][-1]
        assert [(r["address"], r["annotations"]) for r in last["responders"]] == [
            (case.responder, [case.annotation])]
        assert on_one_path(path(trace)[:-1], expected[: case.ttl - 1])
    alone = run_tuitrace(lab, 4, "icmp", rounds=ROUNDS)
    counts = [(hop["ttl"], hop["sent"], hop["received"]) for hop in dst["hops"]]
    assert counts == [(hop["ttl"], hop["sent"], hop["received"]) for hop in alone["hops"]]
