"""Names, AS numbers and places on the live screen, in a real terminal inside the namespace lab.

tuitrace runs in the src namespace with lookups on (no ``-n``/``--no-lookups``), asking the test DNS server
that runs in that namespace too (PTR and Team Cymru answers) and reading test GeoIP files. The user sees the
routers' names, then AS and place after ``z``, opens the detail view of hop 1, and kills the DNS server: the
trace must go on as before. Probes go only to the lab; DNS only to 127.0.0.1 inside src; RDAP for the lab's
private addresses is refused by ipwhois itself before any request is made.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.enrich.serve import LAB_AS_NAME, LAB_ASN

from .tmux import ROOT, Terminal, hop, lab_or_skip, sent

pytestmark = [pytest.mark.lab, pytest.mark.tmux]
MORE_ROUNDS = 10


@pytest.fixture(scope="module")
def lab() -> Iterator[Any]:
    with lab_or_skip() as built:
        yield built


@pytest.fixture
def dns(lab: Any) -> Iterator[Any]:
    from tests.lab.lookups import LabDnsServer

    server = LabDnsServer(lab)
    yield server
    server.kill()


def test_names_as_and_place_live_and_a_dead_resolver_changes_nothing_else(
    lab: Any, dns: Any, tmp_path: Path
) -> None:
    v4 = lab.target(4)
    r1 = lab.address("r1", 4)
    from tests.lab.lookups import lab_geoip_files, lookup_options

    lookups = lookup_options(dns, lab_geoip_files(tmp_path))
    command = ["env", "-u", "LINES", "-u", "COLUMNS", f"PYTHONPATH={ROOT}", "TERM=xterm-256color",
               *lab.argv("src", [sys.executable, "-m", "tuitrace", "-i", "0.2", "-w", "1",
                                 *lookups,
                                 "--output-dir", str(tmp_path / "shots"), v4])]
    term = Terminal(command, width=160)  # room for the AS / place column next to the RTTs and history
    try:
        screen = term.wait_for(lambda s: "r1.lab.test" in hop(s, 1) and "dst.lab.test" in hop(s, 5),
                               "the routers' names from the test DNS server")
        assert r1 in hop(screen, 1), "a wide window shows the name and the address"
        assert "r3.lab.test" in hop(screen, 3) and "r4.lab.test" in hop(screen, 4)
        screen = term.wait_for(lambda s: f"AS{LAB_ASN}" in hop(s, 1) and f"AS{LAB_ASN}" in hop(s, 5),
                               "AS numbers in the AS / place column, which fits at 160 columns")
        assert LAB_AS_NAME in hop(screen, 1)
        assert "Testville" in hop(screen, 1), "the place from the GeoIP file"
        term.press("z")
        term.wait_for(lambda s: f"AS{LAB_ASN}" not in s and "r1.lab.test" in hop(s, 1), "z hides the column")
        term.press("z")
        term.wait_for(lambda s: f"AS{LAB_ASN}" in hop(s, 1), "z shows it again")

        term.press("Down")
        term.press("Enter")
        screen = term.wait_for(lambda s: "Hop 1" in s and "Owner (RDAP)" in s, "the detail view of hop 1")
        for shown in (r1, "r1.lab.test", f"AS{LAB_ASN} {LAB_AS_NAME}", "Testville, ZZ", "private (RFC 1918)"):
            assert shown in screen, shown
        screen = term.wait_for(lambda s: "looking up" not in s, "RDAP's answer (ipwhois refuses private)")
        assert "RDAP lookup for" in screen
        term.press("Escape")
        term.wait_for(lambda s: "Owner (RDAP)" not in s and "r1.lab.test" in hop(s, 1), "the table again")

        dns.kill()
        before = term.screen()
        counted = sent(before, 1)
        screen = term.wait_for(lambda s: sent(s, 1) >= counted + MORE_ROUNDS and sent(s, 5) >= counted,
                               f"{MORE_ROUNDS} more rounds after the DNS server died")
        assert "r1.lab.test" in hop(screen, 1), "names already known stay"
        assert v4 in hop(screen, 5)
        assert "100%" not in screen and "Probing stopped" not in screen
        term.press("q")
        term.wait_for(lambda s: "Host" not in s, "the app to quit")
    finally:
        term.close()
