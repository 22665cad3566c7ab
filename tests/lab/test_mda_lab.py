"""``--mda`` in the namespace labs: every interface and link of the first lab's r1 -> r2a | r2b -> r3 stage
and of the second lab's 4-way stage and 2-way diamond (:data:`topology.FOUR_TWO`), the same topology as
scamper's ``tracelb`` at the same confidence, and loss on one branch seen on that branch only.

Chance: ``--mda`` at 95% may miss a branch in a run, by the rule's design. At 95% per run (tuitrace's
meaning, :func:`tuitrace.probe.mda_rule.run_level`) the rule misses something of the first lab in 1/64 of runs
and of the second in 3.1% (computed exactly by :func:`miss_probability`; tracelb, at 95% per step, 1/32 on
the first lab). A run that misses is repeated, up to ``ATTEMPTS`` runs: a correct discovery fails a test
with probability below 0.031^4 = 1e-6 (comparing with tracelb, below (2/32)^4 = 1.5e-5). What any run found
must exist in the lab: a false interface or link fails at once. The rate over 100 runs per protocol and
family is measured by ``python -m bench.mda``, not here.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from tests.lab import multipath, topology
from tests.lab.binomial import binomial_bounds
from tests.lab.multipath import PlanLab
from tests.lab.netlab import Lab, lab_available
from tests.lab.scamper import Discovered, from_report, tracelb
from tests.lab.test_flows_lab import branch_drop
from tests.lab.topology import Family, Plan
from tests.lab.tuitrace_run import Report, run_tuitrace

pytestmark = pytest.mark.lab

ATTEMPTS = 4
LOSS = 0.3
"""Probability that r2c drops a probe it forwards to dst (the lossy branch of the 4-way stage)."""
LOSS_ROUNDS = 40


def truth(family: Family) -> Discovered:
    """The first lab's interfaces and links."""
    hops = topology.expected_hops(family)
    interfaces = {ttl: frozenset(found) for ttl, found in enumerate(hops, start=1)}
    links = frozenset((a, b) for ttl in range(2, len(hops) + 1) for a in hops[ttl - 2] for b in hops[ttl - 1])
    return Discovered(dict(interfaces), links, 0, 0.0)


def plan_truth(plan: Plan, family: Family) -> Discovered:
    interfaces = {ttl: frozenset(found) for ttl, found in enumerate(plan.hops(family), start=1)}
    return Discovered(dict(interfaces), frozenset(plan.links(family)), 0, 0.0)


def whole(found: Discovered, real: Discovered) -> bool:
    """Everything of the lab found; raises on anything found that is not in the lab."""
    for ttl, interfaces in found.interfaces.items():
        assert interfaces <= real.interfaces[ttl], (ttl, interfaces)
    assert found.links <= real.links, found.links - real.links
    return found.interfaces == real.interfaces and found.links == real.links


def mda_report(lab: Lab, family: Family, method: str, rounds: int = 1) -> Report:
    report = run_tuitrace(lab, family, method, rounds=rounds, extra=["--mda"])
    assert report["mda"]["confidence"] == 95 and report["mda"]["complete"]
    assert report["mda"]["reached"]
    return report


def mda(lab: Lab, family: Family, method: str) -> Discovered:
    return from_report(mda_report(lab, family, method)["mda"])


@pytest.fixture(scope="module")
def four_two_lab() -> Iterator[PlanLab]:
    reason = lab_available()
    if reason is not None:
        pytest.skip(reason)
    with multipath.four_two() as built:
        yield built


@pytest.mark.parametrize(("family", "method"), [(4, "udp"), (6, "tcp"), (6, "udp")])
def test_mda_finds_every_interface_and_link(lab: Lab, family: Family, method: str) -> None:
    for attempt in range(1, ATTEMPTS + 1):
        found = mda(lab, family, method)
        if whole(found, truth(family)):
            print(f"\n[mda lab] IPv{family} {method}: whole in run {attempt}, {found.probes} probes")
            return
    pytest.fail(f"IPv{family} {method}: {ATTEMPTS} runs in a row missed part of the lab")


@pytest.mark.parametrize("family", topology.FAMILIES)
@pytest.mark.parametrize("method", ["udp", "tcp"])
def test_mda_finds_a_four_way_stage_and_a_diamond_whole(
    four_two_lab: PlanLab, family: Family, method: str,
) -> None:
    """10 interfaces and 13 links: r1, the four r2s, r3, r4a and r4b, r5, dst."""
    real = plan_truth(topology.FOUR_TWO, family)
    assert sum(map(len, real.interfaces.values())) == 10 and len(real.links) == 13
    for attempt in range(1, ATTEMPTS + 1):
        found = mda(four_two_lab, family, method)
        if whole(found, real):
            print(f"\n[mda lab] 4+2 IPv{family} {method}: whole in run {attempt}, {found.probes} probes")
            return
    pytest.fail(f"IPv{family} {method}: {ATTEMPTS} runs in a row missed part of the 4-way + 2-way lab")


def test_icmp_mda_follows_one_branch_where_routers_hash_no_icmp_field(four_two_lab: PlanLab) -> None:
    """An echo has no ports, and these routers hash addresses, protocol and ports: every ICMP flow takes
    the same branch at r1 and at r3, so ICMP finds one interface per TTL, a real path of the lab."""
    for family in topology.FAMILIES:
        found = mda(four_two_lab, family, "icmp")
        real = plan_truth(topology.FOUR_TWO, family)
        whole(found, real)  # nothing that is not in the lab
        assert [len(found.interfaces[ttl]) for ttl in sorted(found.interfaces)] == [1] * 6, found.interfaces
        assert len(found.links) == 5


def branch_of(route: list[str | None], family: Family) -> str:
    plan = topology.FOUR_TWO
    for router in plan.path[1]:
        if route[1] == plan.hop_address(router, family):
            return router
    raise AssertionError(f"TTL 2 of {route} is none of the 4-way stage")


def lossy_report(lab: PlanLab, family: Family) -> Report:
    """``--mda`` then LOSS_ROUNDS rounds over its flows; again while discovery missed r2c (see above)."""
    for _ in range(ATTEMPTS):
        report = mda_report(lab, family, "udp", rounds=LOSS_ROUNDS)
        if any(branch_of([h["address"] for h in path["hops"]], family) == "r2c" for path in report["paths"]):
            return report
    pytest.fail(f"{ATTEMPTS} discoveries in a row missed r2c")


@pytest.mark.parametrize("family", topology.FAMILIES)
def test_loss_on_one_branch_of_the_four_shows_on_that_branch_only(
    four_two_lab: PlanLab, family: Family,
) -> None:
    """r2c drops 30% of the probes it forwards. Over its paths' flows (one or more, LOSS_ROUNDS probes
    each) the losses at the end stay above the binomial bound that 30% passes but with probability 1e-6;
    the other paths, where nothing drops, lose at most 2 probes + 2% (a busy machine may lose a reply),
    and r2c's own answers at TTL 2 are not dropped."""
    with branch_drop(four_two_lab, "r2c", family, LOSS):
        report = lossy_report(four_two_lab, family)
    lossy_sent = lossy_lost = 0
    for path in report["paths"]:
        route = [hop["address"] for hop in path["hops"]]
        end = path["hops"][-1]
        lost = end["sent"] - end["received"]
        assert end["sent"] >= LOSS_ROUNDS * len(path["flows"]), path
        print(f"\n[mda lab] IPv{family} path {path['path']} via {branch_of(route, family)}: "
              f"{end['loss_pct']}% of {end['sent']} lost at the end")
        stage = path["hops"][1]
        assert stage["sent"] - stage["received"] <= 2 + 0.02 * stage["sent"], path
        if branch_of(route, family) == "r2c":
            lossy_sent, lossy_lost = lossy_sent + end["sent"], lossy_lost + lost
        else:
            assert lost <= 2 + 0.02 * end["sent"], path
    low, _ = binomial_bounds(lossy_sent, LOSS)
    assert lossy_lost >= max(low, 1), (lossy_lost, lossy_sent)


def test_mda_agrees_with_scamper_tracelb(lab: Lab) -> None:
    """IPv4 UDP (scamper's IPv6 UDP probes got no answers in this lab)."""
    if shutil.which("scamper") is None:
        pytest.skip("scamper is not installed (run-tests installs the Debian package)")
    for attempt in range(1, ATTEMPTS + 1):
        ours = mda(lab, 4, "udp")
        theirs = tracelb(lab, lab.target(4), "udp")
        if whole(ours, truth(4)) and whole(theirs, truth(4)):
            assert ours.interfaces == theirs.interfaces and ours.links == theirs.links
            print(f"\n[mda lab] run {attempt}: tuitrace {ours.probes} probes, tracelb {theirs.probes} "
                  f"({ours.probes / theirs.probes:.2f}x)")
            return
    pytest.fail(f"{ATTEMPTS} runs in a row: one of the tools missed part of the lab")
