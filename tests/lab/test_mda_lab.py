"""``--mda`` in the namespace lab: every interface and link of the r1 -> r2a | r2b -> r3 stage, and the
same topology as scamper's ``tracelb`` at the same confidence, with the probes of each printed.

Chance: at 95% per interface each discovery may miss a branch (for a 2-way stage, 6 flows all on one
branch: 1/32). A run that misses is repeated, up to ``ATTEMPTS`` runs: a correct discovery fails the test
with probability below 1/32^3 (comparing two tools, below (2/32)^3 = 2.4e-4). What any run found must
exist in the lab: a false interface or link fails at once.
"""

from __future__ import annotations

import shutil

import pytest

from tests.lab import topology
from tests.lab.netlab import Lab
from tests.lab.scamper import Discovered, from_report, tracelb
from tests.lab.topology import Family
from tests.lab.tuitrace_run import run_tuitrace

pytestmark = pytest.mark.lab

ATTEMPTS = 3


def truth(family: Family) -> Discovered:
    hops = topology.expected_hops(family)
    interfaces = {ttl: frozenset(found) for ttl, found in enumerate(hops, start=1)}
    links = frozenset((a, b) for ttl in range(2, len(hops) + 1) for a in hops[ttl - 2] for b in hops[ttl - 1])
    return Discovered(dict(interfaces), links, 0, 0.0)


def whole(found: Discovered, family: Family) -> bool:
    """Everything of the lab found; raises on anything found that is not in the lab."""
    real = truth(family)
    for ttl, interfaces in found.interfaces.items():
        assert interfaces <= real.interfaces[ttl], (ttl, interfaces)
    assert found.links <= real.links, found.links - real.links
    return found.interfaces == real.interfaces and found.links == real.links


def mda(lab: Lab, family: Family, method: str) -> Discovered:
    report = run_tuitrace(lab, family, method, rounds=1, extra=["--mda"])
    assert report["mda"]["confidence"] == 95 and report["mda"]["complete"]
    assert report["reached"]
    return from_report(report["mda"])


@pytest.mark.parametrize(("family", "method"), [(4, "udp"), (6, "tcp"), (6, "udp")])
def test_mda_finds_every_interface_and_link(lab: Lab, family: Family, method: str) -> None:
    for attempt in range(1, ATTEMPTS + 1):
        found = mda(lab, family, method)
        if whole(found, family):
            print(f"\n[mda lab] IPv{family} {method}: whole in run {attempt}, {found.probes} probes")
            return
    pytest.fail(f"IPv{family} {method}: {ATTEMPTS} runs in a row missed part of the lab")


def test_mda_agrees_with_scamper_tracelb(lab: Lab) -> None:
    """IPv4 UDP (scamper's IPv6 UDP probes got no answers in this lab)."""
    if shutil.which("scamper") is None:
        pytest.skip("scamper is not installed (run-tests installs the Debian package)")
    for attempt in range(1, ATTEMPTS + 1):
        ours = mda(lab, 4, "udp")
        theirs = tracelb(lab, lab.target(4), "udp")
        if whole(ours, 4) and whole(theirs, 4):
            assert ours.interfaces == theirs.interfaces and ours.links == theirs.links
            print(f"\n[mda lab] run {attempt}: tuitrace {ours.probes} probes, tracelb {theirs.probes} "
                  f"({ours.probes / theirs.probes:.2f}x)")
            return
    pytest.fail(f"{ATTEMPTS} runs in a row: one of the tools missed part of the lab")
