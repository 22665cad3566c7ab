"""Reverse DNS still works when nothing more can be imported (after sudo's privilege drop, from a Python
under /root): everything dnspython imports on its first answer is loaded before the drop."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.enrich.dnsserver import DnsTestServer

ROOT = Path(__file__).resolve().parents[3]
ADDRESS, NAME = "192.0.2.254", "gw.example"

CHILD = """
import sys
from tuitrace.enrich.enricher import Enricher
from tuitrace.enrich.options import EnrichOptions
from tuitrace.enrich.preload import preload_lookups

if sys.argv[2] == "preload":
    preload_lookups()


class Unreadable:
    '''From here on, as after the drop: no module can be read any more.'''

    def find_spec(self, name, path=None, target=None):
        raise ImportError(f"{name}: permission denied")


sys.meta_path.insert(0, Unreadable())
options = EnrichOptions(asn=False, dns_server=sys.argv[1], geoip_search_dirs=(), timeout=5.0)
with Enricher(options) as enricher:
    enricher.request(sys.argv[3])
    enricher.wait_idle(20.0)
    print(enricher.get(sys.argv[3]).hostname or "")
"""


def hostname_after_drop(server: DnsTestServer, preload: bool) -> str:
    argv = [sys.executable, "-c", CHILD, server.address, "preload" if preload else "-", ADDRESS]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


@pytest.fixture
def server() -> Iterator[DnsTestServer]:
    with DnsTestServer() as started:
        started.add_ptr(ADDRESS, NAME)
        yield started


def test_names_resolve_when_nothing_can_be_imported_any_more(server: DnsTestServer) -> None:
    assert hostname_after_drop(server, preload=True) == NAME


def test_without_the_preload_the_name_is_lost(server: DnsTestServer) -> None:
    """The scenario above is real: dnspython imports late and quietly gives up."""
    assert hostname_after_drop(server, preload=False) == ""
