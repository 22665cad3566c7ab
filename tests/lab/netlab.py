"""A routed dual-stack network of Linux network namespaces, built for tests and benchmarks.

tuitrace claims to show what real routers do; this lab lets the tests check that against real kernel
routers instead of a model of them. It needs root (``ip netns``) and touches nothing outside its own
namespaces: every interface is created inside a namespace, namespace names carry the owner's pid and a
random part (``tlab<pid>x<hex4>-<node>``) so two runs never collide, and everything is removed on exit
(context manager, ``atexit``, SIGTERM; :func:`remove_stale_labs` for runs that were SIGKILLed).

::

                                   seg 1                  seg 3 (a bridge, br3, inside r3)
                           .1 +---------------- .2 [r2a] .1 ---+
    [src] .2 --- seg 0 --- .1 [r1]                             +--- .2 [r3] .1 -- seg 4 -- .2 [r4] --+
                           .1 +---------------- .2 [r2b] .3 ---+                                     |
                                   seg 2                            [dst] .2 -- seg 5 -- .1 --------+

    Segment n is 10.201.n.0/24 and fd00:201:n::/64; the numbers on the lines are host parts.
    r1 splits traffic to everything beyond it over r2a and r2b (ECMP, per-flow hash on the 5-tuple).

    TTL  node  answers from (IPv4 / IPv6)           = its interface towards src
     1   r1    10.201.0.1   fd00:201::1
     2   r2a   10.201.1.2   fd00:201:1::2    or  r2b  10.201.2.2  fd00:201:2::2
     3   r3    10.201.3.2   fd00:201:3::2    (one bridge address, whichever branch the probe came by)
     4   r4    10.201.4.2   fd00:201:4::2
     5   dst   10.201.5.2   fd00:201:5::2    the target

    !N  10.201.100.1     r4 REJECTs (icmp-net-unreachable) in FORWARD: r4 at TTL 4, r4 !N at TTL 5
        fd00:201:100::1  r4 has no route ("no route"):                 r4 !N at TTL 4
    !H  10.201.101.1     r4 REJECTs (icmp-host-unreachable) in FORWARD: r4 at TTL 4, r4 !H at TTL 5
        fd00:201:101::1  on the dst segment, nobody answers neighbour discovery ("address unreachable",
                         after 100 ms): r4 at TTL 4, r4 !H at TTL 5
    (:func:`topology.unreachable` gives these as data.) IPv4 uses REJECT because the kernel's own
    routing errors (no route, ``unreachable``/``prohibit`` routes) are rate limited by the host-wide
    ``net.ipv4.route.error_cost`` (about one per second, and none for a fresh peer), which the lab leaves
    alone; IPv6 routing errors use the per-namespace ICMPv6 rate limit, which the lab switches off.

Why a bridge at r3: IPv6 answers from the interface the probe came in on, so with two links r3 would show
two addresses at TTL 3 (IPv4 answers from the outgoing one). One segment gives r3 one address in both.

ECMP: classic UDP (one port per probe) shows both r2a and r2b at TTL 2; ICMP (no ports: hashed on the
addresses), TCP and fixed-port UDP follow one branch. The hash is the custom policy 3 on fields 0x37
(addresses, protocol, ports) rather than policy 1: between namespaces a packet keeps the hash its sending
socket gave it and policy 1 would use that (see ``_ecmp_sysctls``). The seed is fixed, so a given flow
takes the same branch in every run on a given kernel. Debian ``traceroute -T``/``-U`` open a socket and
port per probe and need ``--sport=N`` to be one flow.

Routers forward both families, IPv6 addresses are ``nodad``, ICMP rate limits are off on every node so the
kernel never fakes loss (:meth:`Lab.default_icmp_ratelimit` puts the defaults back for a block). Toggles
(:meth:`Lab.silence`, :meth:`Lab.loss`, :meth:`Lab.reject_tcp_port`) are context managers that remove
exactly the iptables rules they added; :meth:`Lab.link_down` takes a link down for a block (an outage) and
puts its addresses and routes back afterwards.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType, TracebackType
from typing import Self

from tests.lab import topology
from tests.lab.debian import MtrHop, TracerouteHop, parse_mtr_report, parse_traceroute, traceroute_argv
from tests.lab.topology import FAMILIES, Family

NETNS_DIR = Path("/run/netns")
_NAME_RE = re.compile(r"^tlab(?P<pid>\d+)x[0-9a-f]{4}-(?P<node>[a-z0-9]+)$")

UNLIMITED_ICMP = {
    "net.ipv4.icmp_ratelimit": "0",
    "net.ipv6.icmp.ratelimit": "0",
    "net.ipv4.icmp_msgs_per_sec": "1000000",
    "net.ipv4.icmp_msgs_burst": "1000000",
}
DEFAULT_ICMP = {
    "net.ipv4.icmp_ratelimit": "1000",
    "net.ipv6.icmp.ratelimit": "1000",
    "net.ipv4.icmp_msgs_per_sec": "1000",
    "net.ipv4.icmp_msgs_burst": "50",
}


class LabError(RuntimeError):
    """The lab could not be built or changed; the message names the command that failed."""


def lab_available() -> str | None:
    """``None`` when a lab can be built here, else the reason why not (for ``pytest.skip``)."""
    if os.geteuid() != 0:
        return "the namespace lab needs root (ip netns, iptables)"
    for tool in ("ip", "iptables", "ip6tables", "sysctl"):
        if not any((Path(d) / tool).exists() for d in os.get_exec_path()):
            return f"the namespace lab needs {tool!r} on PATH"
    probe = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return f"'ip netns' does not work here: {probe.stderr.strip()}"
    return None


def _check(argv: Sequence[str], *, stdin: str | None = None) -> str:
    done = subprocess.run(list(argv), input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise LabError(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


class Lab:
    """The lab: ``with Lab() as lab:`` builds it, leaving the block removes it."""

    def __init__(self) -> None:
        self.prefix = f"tlab{os.getpid()}x{secrets.token_hex(2)}"
        while NETNS_DIR.is_dir() and any(p.name.startswith(self.prefix) for p in NETNS_DIR.iterdir()):
            self.prefix = f"tlab{os.getpid()}x{secrets.token_hex(2)}"
        self._built: list[str] = []
        self._procs: list[subprocess.Popen[bytes]] = []
        self._closed = False
        self._lock = threading.Lock()
        self._old_sigterm: signal.Handlers | None = None

    # -- names and addresses -------------------------------------------------------------------------
    def ns(self, node: str) -> str:
        """The namespace name of ``node`` ("src", "r1", "r2a", "r2b", "r3", "r4", "dst")."""
        if node not in topology.NODES:
            raise KeyError(f"unknown lab node {node!r}")
        return f"{self.prefix}-{node}"

    @staticmethod
    def address(node: str, family: Family) -> str:
        """The address ``node`` answers from (its interface towards src)."""
        return topology.hop_address(node, family)

    @staticmethod
    def target(family: Family) -> str:
        return topology.target_address(family)

    @staticmethod
    def expected_hops(family: Family, *, branch: str | None = None, to: str = "dst") -> list[frozenset[str]]:
        """Addresses per TTL from src (index 0 = TTL 1); see :func:`topology.expected_hops`."""
        return topology.expected_hops(family, branch=branch, to=to)

    # -- life cycle ----------------------------------------------------------------------------------
    def __enter__(self) -> Self:
        atexit.register(self.close)
        main = threading.current_thread() is threading.main_thread()
        if main and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            self._old_sigterm = signal.SIG_DFL
            signal.signal(signal.SIGTERM, _sigterm_to_exit)
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop what the lab started and delete its namespaces (with them every veth and rule)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for proc in self._procs:
            _stop(proc)
        for name in reversed(self._built):
            remove_namespace(name)
        self._built.clear()
        if self._old_sigterm is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._old_sigterm)
        atexit.unregister(self.close)

    def _build(self) -> None:
        for node in topology.NODES:
            name = self.ns(node)
            _check(["ip", "netns", "add", name])
            self._built.append(name)
            self.sysctl(node, _base_sysctls(node))
        self._wire(topology.NODES, topology.SEGMENTS)
        self._configure(topology.NODES, topology.segments_of, topology.routes)
        # IPv6 !H: r4 gives up neighbour discovery on the dst segment quickly (one solicitation, 100 ms).
        dev = topology.segment("r4", "dst").dev("r4")
        self.sysctl("r4", {f"net.ipv6.neigh.{dev}.mcast_solicit": "1",
                           f"net.ipv6.neigh.{dev}.retrans_time_ms": "100"})
        for index, kind in topology.V4_UNREACHABLE_REJECTS.items():
            rule = ["FORWARD", "-d", topology.subnet(index, 4), "-j", "REJECT", "--reject-with", kind]
            self.run("r4", ["iptables", "-w", "-A", *rule], check=True)
        self._warm_up()

    def _wire(self, nodes: Sequence[str], segments: Sequence[topology.Segment]) -> None:
        """The veth pairs of ``segments`` (a bridge in its owner, with a port per other member)."""
        batch: dict[str, list[str]] = {node: ["link set lo up"] for node in nodes}
        for seg in segments:
            if seg.bridge is None:
                a, b = seg.members
                batch[a].append(f"link add {seg.dev(a)} type veth peer name {seg.dev(b)} netns {self.ns(b)}")
                continue
            owner = seg.bridge
            batch[owner].append(f"link add {seg.dev(owner)} type bridge")
            for member in seg.members:
                if member != owner:
                    port = f"to-{member}"
                    batch[owner].append(
                        f"link add {port} type veth peer name {seg.dev(member)} netns {self.ns(member)}")
                    batch[owner].append(f"link set {port} master {seg.dev(owner)} up")
        for node in nodes:
            self._ip_batch(node, batch[node])

    def _configure(self, nodes: Sequence[str], segments_of: Callable[[str], Sequence[topology.Segment]],
                   routes: Callable[[str, Family], Sequence[str]]) -> None:
        """Each node's addresses on its segments (both families, no DAD) and its routes."""
        for node in nodes:
            lines: list[str] = []
            for seg in segments_of(node):
                dev = seg.dev(node)
                lines += [f"addr add {seg.address(node, 4)}/24 dev {dev}",
                          f"addr add {seg.address(node, 6)}/64 dev {dev} nodad", f"link set {dev} up"]
            lines += [f"route add {route}" for family in FAMILIES for route in routes(node, family)]
            self._ip_batch(node, lines)

    def _warm_up(self, segments: Sequence[topology.Segment] = topology.SEGMENTS) -> None:
        """One ping across every segment in both families, so that no test pays for ARP/ND."""
        pings: list[tuple[str, subprocess.Popen[bytes]]] = []
        for seg in segments:
            first, *others = seg.members
            for other in others:
                for family in FAMILIES:
                    argv = self.argv(first, ["ping", f"-{family}", "-c", "1", "-W", "2",
                                             seg.address(other, family)])
                    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    pings.append((f"{first} -> {seg.address(other, family)}", proc))
        failed = [label for label, proc in pings if proc.wait() != 0]
        if failed:
            raise LabError(f"lab segments do not answer: {failed}")

    def _ip_batch(self, node: str, lines: list[str]) -> None:
        _check(["ip", "-n", self.ns(node), "-batch", "-"], stdin="\n".join(lines) + "\n")

    # -- running things inside -----------------------------------------------------------------------
    def argv(self, node: str, argv: Sequence[str]) -> list[str]:
        return ["ip", "netns", "exec", self.ns(node), *argv]

    def run(
        self, node: str, argv: Sequence[str], *, timeout: float = 60.0, check: bool = False,
        env: dict[str, str] | None = None, cwd: str | Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` in ``node``'s namespace and wait; text output captured."""
        done = subprocess.run(self.argv(node, argv), capture_output=True, text=True, timeout=timeout,
                              check=False, env=env, cwd=cwd)
        if check and done.returncode != 0:
            raise LabError(f"[{node}] {' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
        return done

    def popen(
        self, node: str, argv: Sequence[str], *, env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``argv`` in ``node``'s namespace; the lab stops it on close if it still runs."""
        proc = subprocess.Popen(self.argv(node, argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, cwd=cwd)
        self._procs.append(proc)
        return proc

    def traceroute(
        self, family: Family, method: str = "udp", target: str | None = None, *, queries: int = 3,
        port: int | None = None, sport: int | None = None, max_hops: int = 8, wait: float = 1.0,
    ) -> list[TracerouteHop]:
        """Debian traceroute from src (``method``: icmp, udp, udp-fixed, tcp), parsed per TTL.
        ``sport`` fixes the source port (traceroute otherwise opens a socket, and port, per probe)."""
        argv = traceroute_argv(family, method, target or self.target(family), queries=queries, port=port,
                               sport=sport, max_hops=max_hops, wait=wait)
        done = self.run("src", argv, check=True)
        return parse_traceroute(done.stdout)

    def mtr(self, family: Family, method: str = "icmp", target: str | None = None, *, count: int = 20,
            interval: float = 0.05, port: int | None = None) -> list[MtrHop]:
        """``mtr --report`` from src (``method``: icmp, udp, tcp), parsed per TTL."""
        argv = ["mtr", "-n", f"-{family}", "--report", "--report-wide", "-c", str(count), "-i", str(interval),
                "-m", "8", *{"icmp": [], "udp": ["-u"], "tcp": ["-T"]}[method]]
        if port is not None:
            argv += ["-P", str(port)]
        done = self.run("src", [*argv, target or self.target(family)], check=True)
        return parse_mtr_report(done.stdout)

    def sysctl(self, node: str, values: dict[str, str]) -> None:
        args = [f"{key}={value}" for key, value in values.items()]
        self.run(node, ["sysctl", "-q", "-w", *args], check=True)

    # -- behaviour toggles (each a context manager that undoes itself) -------------------------------
    @contextlib.contextmanager
    def _rules(self, node: str, rules: list[tuple[str, list[str]]]) -> Iterator[None]:
        """Insert (tool, rule) pairs into ``node``'s filter table; delete exactly them afterwards."""
        added: list[tuple[str, list[str]]] = []
        try:
            for tool, rule in rules:
                self.run(node, [tool, "-w", "-I", *rule], check=True)
                added.append((tool, rule))
            yield
        finally:
            for tool, rule in reversed(added):
                if not self._closed:
                    self.run(node, [tool, "-w", "-D", *rule], check=True)

    def filter_rules(self, node: str,
                     rules: list[tuple[str, list[str]]]) -> contextlib.AbstractContextManager[None]:
        """A test's own (tool, rule) pairs in ``node``'s filter table while inside; the toggles below cover
        the usual ones."""
        return self._rules(node, rules)

    def silence(self, router: str) -> contextlib.AbstractContextManager[None]:
        """``router`` drops the time-exceeded messages it sends (v4 and v6): a ``*`` hop."""
        return self.loss(router, 1.0)

    def loss(self, router: str, probability: float) -> contextlib.AbstractContextManager[None]:
        """``router`` drops each time-exceeded it sends with ``probability`` (v4 and v6)."""
        if not 0.0 < probability <= 1.0:
            raise ValueError("probability must be in (0, 1]")
        stat = [] if probability >= 1.0 else ["-m", "statistic", "--mode", "random",
                                              "--probability", f"{probability:.6f}"]
        return self._rules(router, [
            ("iptables", ["OUTPUT", "-p", "icmp", "--icmp-type", "time-exceeded", *stat, "-j", "DROP"]),
            ("ip6tables",
             ["OUTPUT", "-p", "ipv6-icmp", "--icmpv6-type", "time-exceeded", *stat, "-j", "DROP"]),
        ])

    def reject_tcp_port(self, router: str, port: int) -> contextlib.AbstractContextManager[None]:
        """``router`` rejects TCP to dst:``port`` with admin-prohibited (traceroute's ``!X``).

        The rule sits in FORWARD, after the TTL check: the probe that expires at ``router`` still gets a
        time-exceeded, the next TTL gets ``!X`` from the same router."""
        tcp = ["-p", "tcp", "--dport", str(port), "-j", "REJECT"]
        return self._rules(router, [
            ("iptables", ["FORWARD", "-d", self.target(4), *tcp, "--reject-with", "icmp-admin-prohibited"]),
            ("ip6tables", ["FORWARD", "-d", self.target(6), *tcp, "--reject-with", "icmp6-adm-prohibited"]),
        ])

    @contextlib.contextmanager
    def link_down(self, node: str, peer: str) -> Iterator[None]:
        """``node``'s interface towards ``peer`` is down (``ip link set ... down``) for the block: an outage.

        The peer's end loses its carrier. Afterwards the interface comes back up with its addresses (IPv6
        keeps them across the down: ``keep_addr_on_down``), every route of both nodes is put back (a down
        interface takes the routes through it along) and one ping each way proves the segment carries
        traffic again before the block's caller goes on."""
        shared = topology.segment(node, peer)
        dev = shared.dev(node)
        self.sysctl(node, {f"net.ipv6.conf.{dev}.keep_addr_on_down": "1"})
        self._ip_batch(node, [f"link set {dev} down"])
        try:
            yield
        finally:
            if not self._closed:
                self._ip_batch(node, [f"link set {dev} up"])
                for end in (node, peer):
                    self._ip_batch(end, [f"route replace {route}" for family in FAMILIES
                                         for route in topology.routes(end, family)])
                self._await_segment(shared, node, peer)

    def _await_segment(self, shared: topology.Segment, node: str, peer: str) -> None:
        for family in FAMILIES:
            argv = ["ping", f"-{family}", "-c", "1", "-w", "5", shared.address(peer, family)]
            if self.run(node, argv, timeout=10).returncode != 0:
                raise LabError(f"segment {node}-{peer} does not carry IPv{family} after the outage")

    @contextlib.contextmanager
    def default_icmp_ratelimit(self, router: str) -> Iterator[None]:
        """The kernel's default ICMP rate limits on ``router`` for the duration of the block."""
        self.sysctl(router, DEFAULT_ICMP)
        try:
            yield
        finally:
            if not self._closed:
                self.sysctl(router, UNLIMITED_ICMP)

    # -- listeners in dst ----------------------------------------------------------------------------
    def listen_tcp(self, port: int) -> subprocess.Popen[bytes]:
        """A TCP listener on ``port`` in dst (v4 and v6) that never accepts: an open port."""
        return self._listener("tcp", port)

    def listen_udp_silent(self, port: int) -> subprocess.Popen[bytes]:
        """A UDP socket on ``port`` in dst that reads and never answers: no port unreachable either."""
        return self._listener("udp", port)

    def _listener(self, proto: str, port: int) -> subprocess.Popen[bytes]:
        proc = self.popen("dst", [sys.executable, "-c", _LISTENER, proto, str(port)])
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != b"ready":
            raise LabError(f"listener {proto}/{port} in dst did not start (exit {proc.poll()})")
        return proc


_LISTENER = """
import signal, socket, sys
proto, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", port))
if proto == "tcp":
    s.listen(128)
print("ready", flush=True)
while proto == "tcp":
    signal.pause()
while True:
    s.recv(65535)
"""


def _base_sysctls(node: str) -> dict[str, str]:
    values = {
        "net.ipv6.conf.all.accept_dad": "0",
        "net.ipv6.conf.default.accept_dad": "0",
        "net.ipv6.conf.default.accept_ra": "0",
        **UNLIMITED_ICMP,
    }
    if node in topology.ROUTERS:
        values |= {"net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1"}
    if node in topology.DOWNSTREAM and len(topology.DOWNSTREAM[node]) > 1:
        values |= _ecmp_sysctls()
    return values


def _ecmp_sysctls() -> dict[str, str]:
    """Per-flow (5-tuple) multipath hashing on the ECMP router.

    Policy 1 (L4) would do on a real router, but between namespaces the packet keeps the hash its sender's
    socket gave it, and policy 1 uses that hash when present: every socket would pick its own branch
    whatever its ports (Debian ``traceroute -U --sport=N`` opens a socket per probe and sees both
    branches). The custom policy 3 hashes the headers' addresses, protocol and ports only (fields 0x37, no
    IPv6 flow label), which is what a router hashing on the 5-tuple does. Kernels without it get policy 1.
    The seed is fixed so that a given flow takes the same branch in every run."""
    proc = Path("/proc/sys/net/ipv4")
    custom = (proc / "fib_multipath_hash_fields").exists()
    values = {
        "net.ipv4.fib_multipath_hash_policy": "3" if custom else "1",
        "net.ipv6.fib_multipath_hash_policy": "3" if custom else "1",
    }
    if custom:
        values |= {f"net.ipv{v}.fib_multipath_hash_fields": "0x0037" for v in (4, 6)}
    if (proc / "fib_multipath_hash_seed").exists():
        values["net.ipv4.fib_multipath_hash_seed"] = "201"
    return values


def _sigterm_to_exit(signum: int, frame: FrameType | None) -> None:
    # As Ctrl-C does: pytest stops the session and tears the fixtures down; a ``with Lab()`` block exits.
    raise KeyboardInterrupt(f"signal {signum}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def remove_namespace(name: str) -> None:
    """Kill what still runs in namespace ``name`` (only lab namespaces get here) and delete it."""
    pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True, check=False)
    for pid in pids.stdout.split():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid), signal.SIGKILL)
    subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


def remove_stale_labs() -> list[str]:
    """Delete namespaces left by lab runs whose process no longer exists (e.g. killed with SIGKILL)."""
    removed: list[str] = []
    if not NETNS_DIR.is_dir():
        return removed
    for entry in sorted(NETNS_DIR.iterdir()):
        match = _NAME_RE.match(entry.name)
        if match is None or _alive(int(match["pid"])):
            continue
        remove_namespace(entry.name)
        removed.append(entry.name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
