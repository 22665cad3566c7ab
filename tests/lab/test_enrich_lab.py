"""Names, AS numbers and places for the lab's routers, end to end: tuitrace in the src namespace asks a
test DNS server there (PTR and Team Cymru TXT) and reads a test GeoIP database; killing the DNS server in
the middle of a run changes nothing (names already known stay), and a DNS server that starts late is asked
again, so the names come in then."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
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


def ptr_asked(lab: Lab, *nodes: str) -> Callable[[set[str]], bool]:
    """True once the server has answered the PTR question of each of ``nodes`` (IPv4)."""
    wanted = {f"PTR {ipaddress.ip_address(lab.address(node, 4)).reverse_pointer}" for node in nodes}
    return lambda answered: wanted <= answered


def test_killing_the_dns_server_changes_only_the_names(lab: Lab, geoip: list[str]) -> None:
    """Names already told to tuitrace stay when the DNS server dies mid-run, and nothing else changes."""
    dns = LabDnsServer(lab, log=True)
    rounds = 100
    argv = tuitrace(lab, 4, dns, geoip, "-c", str(rounds), "-w", "0.5")
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(), cwd=REPO)
    try:
        dns.wait_answered(ptr_asked(lab, "r1", "r3", "r4", "dst"))
        dns.kill()
        assert proc.poll() is None, "the run ended before the DNS server was killed: make it longer"
        out, err = proc.communicate(timeout=120)
    finally:
        dns.kill()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    report = report_of(subprocess.CompletedProcess(argv, proc.returncode, out, err))
    assert report["rounds"] == rounds and report["reached"]
    names = {lab.address(node, 4): f"{node}.lab.test" for node in NODES}
    for hop in report["hops"]:
        assert hop["sent"] == hop["received"] == rounds, hop["ttl"]
        for responder in hop["responders"]:
            assert responder["hostname"] == names[responder["address"]]
            assert (responder["asn"], responder["as_name"]) == (LAB_ASN, LAB_AS_NAME)
            assert responder["country"] == "ZZ"


def test_names_appear_when_the_dns_server_starts_late(lab: Lab, geoip: list[str]) -> None:
    """A resolver that is down when tuitrace starts is asked again: the names come in once it is up."""
    gone = LabDnsServer(lab)
    gone.kill()  # its port is where tuitrace will look, and nothing answers there yet
    rounds = 50
    argv = lab.argv("src", [sys.executable, "-m", "tuitrace", "--json", "-4", "-i", "0.5", "-c", str(rounds),
                            "--dns-server", gone.address, "--lookup-private", lab.target(4)])
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environment(), cwd=REPO)
    late = None
    try:
        time.sleep(5)  # the scenario: the resolver comes up 5 s after tuitrace
        assert proc.poll() is None
        late = LabDnsServer(lab, port=gone.port, log=True)
        late.wait_answered(ptr_asked(lab, "r1", "r3", "r4", "dst"))
        out, err = proc.communicate(timeout=120)
    finally:
        if late is not None:
            late.kill()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    report = report_of(subprocess.CompletedProcess(argv, proc.returncode, out, err))
    names = {lab.address(node, 4): f"{node}.lab.test" for node in NODES}
    responders = [r for hop in report["hops"] for r in hop["responders"]]
    assert len(responders) >= 5
    for responder in responders:
        assert responder["hostname"] == names[responder["address"]]
        assert (responder["asn"], responder["as_name"]) == (LAB_ASN, LAB_AS_NAME)
