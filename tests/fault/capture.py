"""Record what real kernels send back: tcpdump in the namespace lab while tuitrace traces, into seed files.

Built seeds (``tests.fault.replies``) have the shapes tuitrace's own builders make; Linux routers quote up
to 576 bytes of an IPv4 probe and ICMPv6 as much as fits in 1280, REJECT rules answer with their own codes,
and the target's TCP stack adds options. This script (root, ``python -m tests.fault.capture``) builds a lab,
traces the target with every way of probing, the lab's ``!N``/``!H`` subnets and a rejected TCP port, with
``tcpdump`` on src's link, and writes every packet src received that a tracer reads (ICMP, ICMPv6 and TCP)
to ``tests/fault/data/captured.txt`` in the seed format: the fuzzer mutates these too.
"""

from __future__ import annotations

import ipaddress
import signal
import struct
import sys
import tempfile
import time
from pathlib import Path

from tests.fault.replies import CAPTURED_FILE, Seed, format_seed
from tests.lab import topology
from tests.lab.conftest import CLOSED_TCP_PORT, OPEN_TCP_PORT, REJECTED_TCP_PORT
from tests.lab.netlab import Lab, lab_available, remove_stale_labs
from tests.lab.tuitrace_run import run_tuitrace
from tuitrace.packet.address import v6_text
from tuitrace.probe.network import Layer

_ETHERTYPE_IPV4, _ETHERTYPE_IPV6 = 0x0800, 0x86DD


def pcap_frames(data: bytes) -> list[bytes]:
    """The frames of a classic pcap file (either byte order; Ethernet link type assumed)."""
    magic = data[:4]
    order = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    frames, offset = [], 24
    while offset + 16 <= len(data):
        _, _, captured, _ = struct.unpack_from(f"{order}IIII", data, offset)
        frames.append(data[offset + 16 : offset + 16 + captured])
        offset += 16 + captured
    return frames


def seed_of(frame: bytes, local: dict[int, bytes], number: int) -> Seed | None:
    """The frame as a raw socket on src would deliver it, if it is an ICMP(v6) or TCP packet to src."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    packet = frame[14:]
    if ethertype == _ETHERTYPE_IPV4 and len(packet) >= 20 and packet[16:20] == local[4]:
        layer = {1: Layer.ICMP4_IP, 6: Layer.TCP4_IP}.get(packet[9])
        return None if layer is None else Seed(f"captured-{number}", layer, packet)
    if ethertype == _ETHERTYPE_IPV6 and len(packet) >= 40 and packet[24:40] == local[6]:
        layer = {58: Layer.ICMP6, 6: Layer.TCP6}.get(packet[6])
        if layer is None:
            return None
        return Seed(f"captured-{number}", layer, packet[40:], v6_text(packet[8:24]), packet[7])
    return None


def capture(lab: Lab) -> list[Seed]:
    device = topology.segment("src", "r1").dev("src")
    with tempfile.TemporaryDirectory() as scratch:
        pcap = Path(scratch) / "lab.pcap"
        dump = lab.popen("src", ["tcpdump", "-U", "-n", "-s", "0", "-i", device, "-w", str(pcap)])
        time.sleep(1.0)
        try:
            for family in topology.FAMILIES:
                for method in ("icmp", "udp", "udp-fixed", "tcp"):
                    run_tuitrace(lab, family, method, rounds=2)
                for port in (OPEN_TCP_PORT, CLOSED_TCP_PORT):
                    run_tuitrace(lab, family, "tcp", rounds=2, extra=["-p", str(port)])
                for annotation in ("!N", "!H"):
                    case = topology.unreachable(family, annotation)
                    run_tuitrace(lab, family, "udp", case.address, rounds=2, extra=["-m", "6"])
                with lab.reject_tcp_port("r4", REJECTED_TCP_PORT):
                    extra = ["-p", str(REJECTED_TCP_PORT), "-m", "6"]
                    run_tuitrace(lab, family, "tcp", rounds=2, extra=extra)
        finally:
            time.sleep(0.5)
            dump.send_signal(signal.SIGINT)
            dump.wait(timeout=10)
        frames = pcap_frames(pcap.read_bytes())
    local: dict[int, bytes] = {
        family: ipaddress.ip_address(lab.address("src", family)).packed for family in topology.FAMILIES
    }
    seeds = [seed_of(frame, local, number) for number, frame in enumerate(frames)]
    return [seed for seed in seeds if seed is not None]


def main() -> int:
    reason = lab_available()
    if reason is not None:
        print(f"capture: {reason}", file=sys.stderr)
        return 2
    remove_stale_labs()
    with Lab() as lab:
        lab.listen_tcp(OPEN_TCP_PORT)
        seeds = capture(lab)
    by_family = {4: [s for s in seeds if s.layer in (Layer.ICMP4_IP, Layer.TCP4_IP)],
                 6: [s for s in seeds if s.layer in (Layer.ICMP6, Layer.TCP6)]}
    lines = ["# Packets src received in the namespace lab (python -m tests.fault.capture, root): "
             "kind layer source hop-limit hex"]
    for family, family_seeds in by_family.items():
        lines.append(f"# family {family}: {len(family_seeds)} packets")
        lines.extend(format_seed(seed) for seed in family_seeds)
    CAPTURED_FILE.write_text("\n".join(lines) + "\n", encoding="ascii")
    print(f"capture: {len(by_family[4])} IPv4 and {len(by_family[6])} IPv6 packets in {CAPTURED_FILE}")
    return 0 if by_family[4] and by_family[6] else 1


if __name__ == "__main__":
    sys.exit(main())
