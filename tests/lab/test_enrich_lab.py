"""Names, AS numbers and places for the lab's routers, end to end: tuitrace in the src namespace asks a
test DNS server there (PTR and Team Cymru TXT) and reads a test GeoIP database; killing the DNS server in
the middle of a run changes nothing but the names."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.enrich.serve import LAB_AS_NAME, LAB_ASN
from tests.lab.lookups import NODES, LabDnsServer, lab_geoip_files, lookup_options
from tests.lab.netlab import Lab
from tests.lab.topology import FAMILIES, Family
from tests.lab.tuitrace_run import REPO, environment

pytestmark = pytest.mark.lab


@pytest.fixture
def dns(lab: Lab) -> Iterator[LabDnsServer]:
    server = LabDnsServer(lab)
    yield server
    server.kill()


@pytest.fixture(scope="module")
def geoip(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return lab_geoip_files(tmp_path_factory.mktemp("geoip"))


def tuitrace(lab: Lab, family: Family, dns: LabDnsServer, geoip: list[str], *extra: str) -> list[str]:
    lookups = lookup_options(dns, geoip)
    return lab.argv("src", [sys.executable, "-m", "tuitrace", "--json", f"-{family}", "-i", "0.05", *lookups,
                            *extra, lab.target(family)])


def report_of(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.mark.parametrize("family", FAMILIES)
def test_report_names_every_router_with_as_and_place(
    lab: Lab, dns: LabDnsServer, geoip: list[str], family: Family
) -> None:
    argv = tuitrace(lab, family, dns, geoip, "-c", "5")
    report = report_of(subprocess.run(argv, capture_output=True, text=True, timeout=120, env=environment(),
                                      cwd=REPO, check=False))
    names = {lab.address(node, family): f"{node}.lab.test" for node in NODES}
    responders = [r for hop in report["hops"] for r in hop["responders"]]
    assert len(responders) >= 5
    for responder in responders:
        assert responder["hostname"] == names[responder["address"]]
        assert (responder["asn"], responder["as_name"]) == (LAB_ASN, LAB_AS_NAME)
        assert (responder["country"], responder["city"]) == ("ZZ", "Testville")
        assert responder["label"]  # private addresses are labelled as such


def test_killing_the_dns_server_changes_only_the_names(lab: Lab, dns: LabDnsServer, geoip: list[str]) -> None:
    rounds = 60
    argv = tuitrace(lab, 4, dns, geoip, "-c", str(rounds), "-w", "0.5")
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(), cwd=REPO)
    time.sleep(1.5)  # mid-run: start-up takes a fraction of a second, the rounds three seconds
    dns.kill()
    out, err = proc.communicate(timeout=120)
    report = report_of(subprocess.CompletedProcess(argv, proc.returncode, out, err))
    assert report["rounds"] == rounds and report["reached"]
    for hop in report["hops"]:
        assert hop["sent"] == hop["received"] == rounds, hop["ttl"]
        for responder in hop["responders"]:
            assert responder["asn"] == LAB_ASN  # the GeoIP ASN database still answers
            assert responder["country"] == "ZZ"
