"""What the lab's enrichment tests look names up in: the test DNS server as a process in the src namespace
(PTR ``<node>.lab.test`` and AS64501 for every lab address) and GeoIP files placing the lab in Testville."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.enrich.geodb import Owner, Place, geolite2_asn, geolite2_city
from tests.enrich.serve import LAB_AS_NAME, LAB_ASN
from tests.lab.netlab import Lab
from tests.lab.topology import FAMILIES
from tests.lab.tuitrace_run import REPO, environment

NODES = ("r1", "r2a", "r2b", "r3", "r4", "dst")
LAB_NETS = ("10.201.0.0/16", "fd00:201::/32")


class LabDnsServer:
    """``tests.enrich.serve`` in src; ``address`` is what ``--dns-server`` wants.

    ``port`` starts it where a killed one was; with ``log`` the test must read what it answered
    (:meth:`wait_answered`), or the pipe fills up.
    """

    def __init__(self, lab: Lab, *, port: int = 0, log: bool = False) -> None:
        pairs = [f"{node}={lab.address(node, family)}" for node in NODES for family in FAMILIES]
        argv = [sys.executable, "-m", "tests.enrich.serve", "--port", str(port), *(["--log"] if log else []),
                *pairs]
        self.proc = subprocess.Popen(
            lab.argv("src", argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment(), cwd=REPO,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.address = f"127.0.0.1:{self.port}"
        self.answered: set[str] = set()
        self._reader: threading.Thread | None = None
        self._lines: queue.Queue[str] = queue.Queue()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)

    def wait_answered(self, done: Callable[[set[str]], bool], timeout: float = 60.0) -> set[str]:
        """Read ``answered <type> <name>`` lines until ``done(what was answered so far)`` (each as
        ``<type> <name>``); fails when the server ends or ``timeout`` passes first."""
        if self._reader is None:
            self._reader = threading.Thread(target=self._read, daemon=True)
            self._reader.start()
        deadline = time.monotonic() + timeout
        while not done(self.answered):
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                answered = sorted(self.answered)
                raise AssertionError(f"waited {timeout} s; the DNS server answered {answered}") from None
            self.answered.add(line.removeprefix("answered ").strip())
        return self.answered

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
