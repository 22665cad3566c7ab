"""What the lab's enrichment tests look names up in: the test DNS server as a process in the src namespace
(PTR ``<node>.lab.test`` and AS64501 for every lab address) and GeoIP files placing the lab in Testville."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.enrich.geodb import Owner, Place, geolite2_asn, geolite2_city
from tests.enrich.serve import LAB_AS_NAME, LAB_ASN
from tests.lab.netlab import Lab
from tests.lab.topology import FAMILIES
from tests.lab.tuitrace_run import REPO, environment

NODES = ("r1", "r2a", "r2b", "r3", "r4", "dst")
LAB_NETS = ("10.201.0.0/16", "fd00:201::/32")


class LabDnsServer:
    """``tests.enrich.serve`` in src; ``address`` is what ``--dns-server`` wants."""

    def __init__(self, lab: Lab) -> None:
        pairs = [f"{node}={lab.address(node, family)}" for node in NODES for family in FAMILIES]
        argv = [sys.executable, "-m", "tests.enrich.serve", *pairs]
        self.proc = subprocess.Popen(
            lab.argv("src", argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment(), cwd=REPO
        )
        assert self.proc.stdout is not None
        self.address = f"127.0.0.1:{int(self.proc.stdout.readline())}"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


def lab_geoip_files(folder: Path) -> list[str]:
    """A GeoLite2 City and an ASN database covering the lab's networks."""
    city = geolite2_city(folder / "city.mmdb", dict.fromkeys(LAB_NETS, Place("ZZ", "Labland", "Testville")))
    asn = geolite2_asn(folder / "asn.mmdb", dict.fromkeys(LAB_NETS, Owner(LAB_ASN, LAB_AS_NAME)))
    return [str(city), str(asn)]


def lookup_options(server: LabDnsServer, geoip: list[str]) -> list[str]:
    return [
        "--dns-server",
        server.address,
        "--lookup-private",
        *(a for p in geoip for a in ("--geoip-db", p)),
    ]
