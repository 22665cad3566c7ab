"""Fixtures for the namespace lab: one lab per test session (per xdist worker), skipped without root."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lab.netlab import Lab, lab_available, remove_stale_labs

OPEN_TCP_PORT = 8080
CLOSED_TCP_PORT = 8081
REJECTED_TCP_PORT = 8443
SILENT_UDP_PORT = 9053


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    reason = lab_available()
    if reason is not None:
        pytest.skip(reason)
    remove_stale_labs()
    with Lab() as built:
        built.listen_tcp(OPEN_TCP_PORT)
        built.listen_udp_silent(SILENT_UDP_PORT)
        yield built
