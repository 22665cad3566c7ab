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

from tests.enrich.geodb import Owner, Place, geolite2_asn, geolite2_city
from tests.enrich.serve import LAB_AS_NAME, LAB_ASN
from tests.lab.netlab import Lab
from tests.lab.topology import FAMILIES, Family
from tests.lab.tuitrace_run import REPO, environment

pytestmark = pytest.mark.lab
NODES = ("r1", "r2a", "r2b", "r3", "r4", "dst")


class DnsServer:
    def __init__(self, lab: Lab) -> None:
        pairs = [f"{node}={lab.address(node, family)}" for node in NODES for family in FAMILIES]
        argv = [sys.executable, "-m", "tests.enrich.serve", *pairs]
        self.proc = subprocess.Popen(
            lab.argv("src", argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment(), cwd=REPO
        )
        assert self.proc.stdout is not None
        self.address = f"127.0.0.1:{int(self.proc.stdout.readline())}"

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def dns(lab: Lab) -> Iterator[DnsServer]:
    server = DnsServer(lab)
    yield server
    server.kill()


@pytest.fixture(scope="module")
def geoip(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("geoip")
    nets = {"10.201.0.0/16": None, "fd00:201::/32": None}
    city = geolite2_city(folder / "city.mmdb", dict.fromkeys(nets, Place("ZZ", "Labland", "Testville")))
    asn = geolite2_asn(folder / "asn.mmdb", dict.fromkeys(nets, Owner(LAB_ASN, LAB_AS_NAME)))
    return [str(city), str(asn)]


def tuitrace(lab: Lab, family: Family, dns: DnsServer, geoip: list[str], *extra: str) -> list[str]:
    geo = [arg for path in geoip for arg in ("--geoip-db", path)]
    lookups = ["--dns-server", dns.address, "--lookup-private", *geo]
    return lab.argv("src", [sys.executable, "-m", "tuitrace", "--json", f"-{family}", "-i", "0.05", *lookups,
                            *extra, lab.target(family)])


def report_of(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.mark.parametrize("family", FAMILIES)
def test_report_names_every_router_with_as_and_place(
    lab: Lab, dns: DnsServer, geoip: list[str], family: Family
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


def test_killing_the_dns_server_changes_only_the_names(lab: Lab, dns: DnsServer, geoip: list[str]) -> None:
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
