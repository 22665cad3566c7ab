"""``--sport PORT``: UDP and TCP probes leave from that port (raw: in the header we build; unprivileged UDP:
the bound socket), the port is held for the run or the start fails in one line, and unprivileged TCP says
why it cannot. Sockets on loopback only."""

from __future__ import annotations

import contextlib
import os
import socket
import struct
from collections.abc import Iterator

import pytest

from tuitrace.cli import main
from tuitrace.config import Mode, Protocol, Setting, TraceConfig
from tuitrace.engine.engine import Engine
from tuitrace.errors import PrivilegeError, TuitraceError
from tuitrace.probe.backend import open_probing_network
from tuitrace.probe.scenario import parse_scenario
from tuitrace.probe.simnet import SimNetwork
from tuitrace.probe.types import Probe
from tuitrace.probe.unprivnet import UNPRIVILEGED_TCP_SPORT_HINT, UnprivilegedNetwork
from tuitrace.probe.wire import ProbeEncoder

LOOPBACK = "127.0.0.1"
UDP = Setting(Protocol.UDP, None)
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="raw sockets need root")


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("0.0.0.0", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def listener() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((LOOPBACK, 0))
        sock.settimeout(5)
        yield sock


def udp_probe(port: int, key: int = 7) -> Probe:
    return Probe(key, 64, Setting(Protocol.UDP, port), 0, LOOPBACK, 4, port)


def test_unprivileged_udp_probes_leave_from_the_port() -> None:
    port = free_port(socket.SOCK_DGRAM)
    network = UnprivilegedNetwork(4, LOOPBACK, source_port=port)
    try:
        assert network.identity.udp_port == port
        with listener() as sink:
            network.send(udp_probe(sink.getsockname()[1]))
            _data, sender = sink.recvfrom(2048)
        assert sender[1] == port
    finally:
        network.close()


@needs_root
def test_raw_udp_probes_carry_the_port_in_the_header_we_build() -> None:
    from tuitrace.probe.rawnet import RawNetwork

    port = free_port(socket.SOCK_DGRAM)
    network = RawNetwork(4, LOOPBACK, source_port=port)
    try:
        assert network.identity.udp_port == network.identity.tcp_port == port
        with listener() as sink:
            network.send(udp_probe(sink.getsockname()[1]))
            _data, sender = sink.recvfrom(2048)
        assert sender[1] == port
    finally:
        network.close()


@needs_root
def test_raw_tcp_flows_take_the_port_and_the_ones_after_it() -> None:
    from tuitrace.probe.rawnet import RawNetwork

    port = free_port(socket.SOCK_STREAM)
    network = RawNetwork(4, LOOPBACK, source_port=port, tcp_ports=3)
    try:
        encoder = ProbeEncoder(network.identity)
        for flow in (1, 2, 3):
            segment = encoder.encode(Probe(5, 3, Setting(Protocol.TCP, 443), 0, LOOPBACK, 4, 443, flow=flow))
            assert struct.unpack_from("!HH", segment) == (port + flow - 1, 443)
    finally:
        network.close()


@needs_root
def test_raw_tcp_flows_beyond_65535_are_refused_in_one_line() -> None:
    from tuitrace.probe.rawnet import RawNetwork

    with pytest.raises(TuitraceError, match=r"--sport 65534: 4 TCP flows need ports 65534\.\.65537"):
        RawNetwork(4, LOOPBACK, source_port=65534, tcp_ports=4)


def test_a_port_another_program_holds_is_refused_in_one_line() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        other.bind(("0.0.0.0", 0))
        port = other.getsockname()[1]
        with pytest.raises(TuitraceError, match=f"--sport {port}: cannot hold UDP port {port} .*another"):
            UnprivilegedNetwork(4, LOOPBACK, source_port=port)


def test_unprivileged_tcp_with_a_source_port_says_why_it_cannot() -> None:
    config = TraceConfig(target=LOOPBACK, family=4, setting=Setting(Protocol.TCP, 80),
                         source_port=free_port(socket.SOCK_STREAM))
    with pytest.raises(PrivilegeError, match="--sport with TCP needs raw sockets"):
        open_probing_network(config, Mode.UNPRIVILEGED)
    network = UnprivilegedNetwork(4, LOOPBACK, source_port=free_port(socket.SOCK_DGRAM))
    try:  # switching to TCP on screen: refused the same way, UDP keeps working
        with pytest.raises(PrivilegeError, match="one connection"):
            network.prepare(Setting(Protocol.TCP, 443))
        network.prepare(UDP)
    finally:
        network.close()
    assert "\n" not in UNPRIVILEGED_TCP_SPORT_HINT


def test_flow_one_is_the_applications_five_tuple() -> None:
    scenario = parse_scenario({"path": {"family": 4, "source": "192.0.2.1", "target": "198.51.100.9"},
                               "hop": [{"responders": ["192.0.2.254"]}]}, "one hop")
    for protocol, expected in ((Protocol.UDP, ["UDP sport 5353 dport 53", "UDP sport 5353 dport 54"]),
                               (Protocol.TCP, ["TCP sport 5353 dport 53", "TCP sport 5354 dport 53"])):
        config = TraceConfig(target=scenario.target, family=4, setting=Setting(protocol, 53), count=1,
                             flows=2, source_port=5353)
        engine = Engine(config, SimNetwork(scenario, udp_port=5353, tcp_port=5353, tcp_ports=2))
        engine.run()
        flows = engine.flows()
        assert flows is not None
        assert [flow.label for flow in flows.flows] == expected


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["-U", "--sport", "0"], "--sport must be ≥ 1, not 0"),
        (["-T", "--sport", "65536"], "--sport must be ≤ 65535, not 65536"),
        (["-U", "--sport", "http"], "--sport must be a whole number, not 'http'"),
        (["--sport", "5000"], "--sport needs a port-based protocol"),
    ],
)
def test_source_port_mistakes_are_one_line(capsys: pytest.CaptureFixture[str], argv: list[str],
                                           needle: str) -> None:
    """In this process: each mistake is found before any socket is opened."""
    assert main(["--report", "-n", "--no-lookups", *argv, LOOPBACK]) == 2
    stderr = capsys.readouterr().err
    assert needle in stderr and stderr.count("\n") == 1 and "Traceback" not in stderr
