"""Tracing as an ordinary user, in the namespace lab: the same hops and responders as raw mode.

tuitrace runs in the src namespace under ``setpriv`` as a test user with no capability; ping sockets are
allowed there for that user's group only (``net.ipv4.ping_group_range`` is per namespace). Each case is
run a second time as root with ``--raw`` and the two are compared. Then a start as root through sudo
(``SUDO_UID``/``SUDO_GID``) must leave a process that is that user, without capabilities, whose screenshot
belongs to the user.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.lab import topology
from tests.lab.binomial import binomial_bounds
from tests.lab.conftest import CLOSED_TCP_PORT, OPEN_TCP_PORT, REJECTED_TCP_PORT
from tests.lab.netlab import Lab
from tests.lab.topology import FAMILIES, Family

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[2]
TEST_USER = "tuitrace-lab"
PING_RANGE = "net.ipv4.ping_group_range"
METHODS: dict[str, list[str]] = {
    "icmp": ["-I"],
    "udp-fixed": ["-U"],  # port 53: closed at dst, so port unreachable = reached
    "tcp-open": ["-T", "-p", str(OPEN_TCP_PORT)],
    "tcp-closed": ["-T", "-p", str(CLOSED_TCP_PORT)],
}
FIXED_5_TUPLE = {"icmp", "udp-fixed"}
"""Probes that keep one flow in unprivileged mode too (each TCP probe has its own source port)."""

Hops = list[frozenset[str]]


def _world_readable(path: Path) -> bool:
    return all(p.stat().st_mode & 0o005 == 0o005 for p in (path, *path.parents))


@pytest.fixture(scope="module")
def python() -> tuple[list[str], dict[str, str]]:
    """An interpreter whose standard library the test user can read as well as root.

    A process that drops from root to the user goes on importing afterwards, so the root run needs a
    library the user can read: a Python installed under /root (pyenv, mode 700) would fail after the drop
    for reasons that have nothing to do with tuitrace. Then the system Python of the same version is used,
    with this checkout and the venv's packages on its path."""
    if _world_readable(Path(sys.base_prefix).resolve()):
        return [sys.executable], {}
    system = Path("/usr/bin/python3")
    version = subprocess.run([system, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True,
                             text=True, check=False).stdout.strip()
    if version != str(sys.version_info[:2]):
        pytest.skip(f"no Python {sys.version_info[:2]} that an ordinary user can read")
    site = next(p for p in sys.path if p.endswith("site-packages"))
    return [str(system)], {"PYTHONPATH": f"{REPO}{os.pathsep}{site}"}


@pytest.fixture(scope="module")
def user() -> pwd.struct_passwd:
    """The ordinary user the traces run as (created once, without a home directory)."""
    try:
        return pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER],
                       check=True)
        return pwd.getpwnam(TEST_USER)


@pytest.fixture(scope="module")
def ulab(lab: Lab, user: pwd.struct_passwd) -> Iterator[Lab]:
    """The lab with ping sockets allowed in src for the test user's group only."""
    before = lab.run("src", ["sysctl", "-n", PING_RANGE], check=True).stdout.split()
    lab.sysctl("src", {PING_RANGE: f"{user.pw_gid} {user.pw_gid}"})
    yield lab
    lab.sysctl("src", {PING_RANGE: " ".join(before)})


class Runner:
    def __init__(self, lab: Lab, user: pwd.struct_passwd, python: tuple[list[str], dict[str, str]]) -> None:
        self.lab, self.user = lab, user
        self.interpreter, extra = python
        self.env = {**os.environ, **extra, "HOME": "/"}

    def as_user(self, argv: list[str]) -> list[str]:
        uid, gid = self.user.pw_uid, self.user.pw_gid
        return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", *argv]

    def tuitrace(self, family: Family, args: list[str], *, unprivileged: bool, target: str | None = None,
                 count: int = 5) -> subprocess.CompletedProcess[str]:
        options = ["--report", "--json", "-n", f"-{family}", "-c", str(count), "-i", "0.05", "-w", "1",
                   "-m", "8"]
        if not unprivileged:
            options.append("--raw")
        argv = [*self.interpreter, "-m", "tuitrace", *options, *args, target or self.lab.target(family)]
        if unprivileged:
            argv = self.as_user(argv)
        return self.lab.run("src", argv, cwd=REPO, env=self.env, timeout=120)

    def report(self, family: Family, args: list[str], *, unprivileged: bool, target: str | None = None,
               count: int = 5) -> dict[str, Any]:
        done = self.tuitrace(family, args, unprivileged=unprivileged, target=target, count=count)
        assert done.returncode == 0, done.stderr
        report: dict[str, Any] = json.loads(done.stdout)
        assert report["mode"] == ("unprivileged" if unprivileged else "raw")
        return report


@pytest.fixture
def runner(ulab: Lab, user: pwd.struct_passwd, python: tuple[list[str], dict[str, str]]) -> Runner:
    return Runner(ulab, user, python)


def hops(report: dict[str, Any]) -> Hops:
    return [frozenset(r["address"] for r in hop["responders"]) for hop in report["hops"]]


def marks_at(report: dict[str, Any], ttl: int) -> set[str]:
    hop = report["hops"][ttl - 1]
    return {mark for responder in hop["responders"] for mark in responder["annotations"]}


# -- the same path as raw mode ------------------------------------------------------------------------------
@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", sorted(METHODS))
def test_an_ordinary_user_sees_the_path_raw_mode_sees(runner: Runner, family: Family, method: str) -> None:
    user = runner.report(family, METHODS[method], unprivileged=True)
    raw = runner.report(family, METHODS[method], unprivileged=False)
    expected = runner.lab.expected_hops(family)
    assert user["reached"] and raw["reached"]
    seen, raw_seen = hops(user), hops(raw)
    assert len(seen) == len(raw_seen) == len(expected)
    for ttl, (got, allowed) in enumerate(zip(seen, expected, strict=True), start=1):
        assert got <= allowed, f"TTL {ttl}: {sorted(got)}"
        if ttl != topology.ECMP_TTL:
            assert got == raw_seen[ttl - 1] == allowed
        elif method in FIXED_5_TUPLE:
            assert len(got) == len(raw_seen[ttl - 1]) == 1, f"one flow, two branches: {sorted(got)}"
    for hop in user["hops"]:
        assert hop["received"] == hop["sent"] == 5, hop


@pytest.mark.parametrize("family", FAMILIES)
def test_classic_udp_shows_both_ecmp_branches(runner: Runner, family: Family) -> None:
    report = runner.report(family, ["-P", "udp"], unprivileged=True, count=10)
    assert hops(report) == runner.lab.expected_hops(family)
    assert len(hops(report)[topology.ECMP_TTL - 1]) == 2


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", ["icmp", "udp-fixed", "tcp-open"])
def test_a_silent_router_is_a_star_hop_and_the_trace_goes_on(runner: Runner, family: Family,
                                                             method: str) -> None:
    with runner.lab.silence("r3"):
        report = runner.report(family, METHODS[method], unprivileged=True, count=3)
    expected = runner.lab.expected_hops(family)
    silent = report["hops"][2]
    assert (silent["received"], silent["responders"]) == (0, [])
    assert hops(report)[3:] == expected[3:]
    assert report["reached"]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("method", ["icmp", "tcp-open"])
def test_loss_at_one_router_is_counted_at_that_hop_only(runner: Runner, family: Family, method: str) -> None:
    rounds, drop = 40, 0.5
    with runner.lab.loss("r3", drop):
        report = runner.report(family, METHODS[method], unprivileged=True, count=rounds)
    lo, hi = binomial_bounds(rounds, drop)
    lossy = report["hops"][2]
    assert lossy["sent"] == rounds
    assert rounds - hi <= lossy["received"] <= rounds - lo
    for hop in report["hops"][:2] + report["hops"][3:]:
        assert hop["received"] == hop["sent"] == rounds, hop


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize(("mark", "method"), [("!N", "icmp"), ("!N", "udp-fixed"), ("!H", "icmp")])
def test_unreachable_marks_are_the_raw_modes(runner: Runner, family: Family, mark: str, method: str) -> None:
    case = topology.unreachable(family, mark)
    user = runner.report(family, METHODS[method], unprivileged=True, target=case.address, count=3)
    raw = runner.report(family, METHODS[method], unprivileged=False, target=case.address, count=3)
    assert len(user["hops"]) == len(raw["hops"]) == case.ttl
    assert hops(user)[-1] == frozenset({case.responder})
    assert marks_at(user, case.ttl) == marks_at(raw, case.ttl) == {mark}
    assert not user["reached"]


@pytest.mark.parametrize("family", FAMILIES)
def test_a_rejected_tcp_port_is_marked_admin_prohibited(runner: Runner, family: Family) -> None:
    with runner.lab.reject_tcp_port("r4", REJECTED_TCP_PORT):
        report = runner.report(family, ["-T", "-p", str(REJECTED_TCP_PORT)], unprivileged=True, count=3)
    last = report["hops"][-1]
    assert len(report["hops"]) == 5
    assert [r["address"] for r in last["responders"]] == [runner.lab.address("r4", family)]
    assert marks_at(report, 5) == {"!X"}


# -- when nothing works: one line that says what to change -------------------------------------------------
@contextlib.contextmanager
def ping_range(lab: Lab, value: str) -> Iterator[None]:
    before = " ".join(lab.run("src", ["sysctl", "-n", PING_RANGE], check=True).stdout.split())
    lab.sysctl("src", {PING_RANGE: value})
    try:
        yield
    finally:
        lab.sysctl("src", {PING_RANGE: before})


@pytest.mark.parametrize("family", FAMILIES)
def test_icmp_without_ping_sockets_names_the_sysctl_and_udp_still_works(runner: Runner,
                                                                        family: Family) -> None:
    with ping_range(runner.lab, "1 0"):
        refused = runner.tuitrace(family, ["-I"], unprivileged=True, count=1)
        assert refused.returncode == 2
        assert refused.stdout == ""
        (line,) = refused.stderr.splitlines()
        assert "net.ipv4.ping_group_range" in line and "cap_net_raw" in line
        assert runner.report(family, ["-U"], unprivileged=True, count=1)["reached"]


# -- started through sudo: the running process is the user, without capabilities -----------------------------
def status_of(pid: int) -> dict[str, list[str]]:
    text = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    return {key: value.split() for key, _, value in (line.partition(":") for line in text.splitlines())}


def wait_for(condition: Any, what: str, tries: int = 200) -> Any:
    """Poll ``condition`` until it returns something true; the number of tries bounds the test."""
    for _ in range(tries):
        with contextlib.suppress(OSError):
            if value := condition():
                return value
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def assert_dropped_to(pid: int, user: pwd.struct_passwd) -> None:
    def dropped() -> dict[str, list[str]] | None:
        status = status_of(pid)
        return status if status["Uid"][0] != "0" and int(status["CapEff"][0], 16) == 0 else None

    status = wait_for(dropped, "the process gave up uid 0 and its capabilities")
    assert status["Uid"] == [str(user.pw_uid)] * 4
    assert status["Gid"] == [str(user.pw_gid)] * 4
    assert status.get("Groups", []) == []
    assert int(status["CapEff"][0], 16) == 0
    assert int(status["CapPrm"][0], 16) == 0
    assert status["NoNewPrivs"] == ["1"]


def sudo_env(runner: Runner) -> dict[str, str]:
    user = runner.user
    sudo = {"SUDO_UID": str(user.pw_uid), "SUDO_GID": str(user.pw_gid), "SUDO_USER": user.pw_name}
    return {**runner.env, **sudo}


def test_a_report_started_through_sudo_runs_as_the_user_with_raw_sockets(runner: Runner) -> None:
    argv = [*runner.interpreter, "-m", "tuitrace", "--report", "--json", "-n", "-c", "60", "-i", "0.05",
            runner.lab.target(4)]
    proc = runner.lab.popen("src", argv, env=sudo_env(runner), cwd=REPO)
    assert_dropped_to(proc.pid, runner.user)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    report = json.loads(stdout)
    assert report["mode"] == "raw"
    assert report["reached"]


@pytest.fixture
def user_dir(user: pwd.struct_passwd) -> Iterator[Path]:
    """A directory the user owns and can reach (pytest's tmp_path lies below a directory only root enters)."""
    path = Path(tempfile.mkdtemp(prefix="tuitrace-shots-"))
    os.chown(path, user.pw_uid, user.pw_gid)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _finished_shots(directory: Path) -> list[Path]:
    """The screenshot files once both are in place; an empty list (not yet) before."""
    files = sorted(path for path in directory.iterdir() if path.suffix in {".svg", ".md"})
    return files if {path.suffix for path in files} == {".svg", ".md"} else []


def test_the_tui_started_through_sudo_writes_a_screenshot_the_user_owns(runner: Runner,
                                                                        user_dir: Path) -> None:
    shots = user_dir
    env = sudo_env(runner)
    command = [*runner.lab.argv("src", ["env", *(f"{k}={v}" for k, v in env.items() if k.startswith(
        ("SUDO_", "PYTHONPATH")))]), *runner.interpreter, "-m", "tuitrace", "-n", "-i", "0.1", "--output-dir",
        str(shots), runner.lab.target(4)]
    session = f"{runner.lab.prefix}-tui"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "-c", str(REPO),
                    subprocess.list2cmdline(command)], check=True)
    try:
        pid = wait_for(lambda: _python_in(runner.lab, str(shots)), "tuitrace started in src")
        assert_dropped_to(pid, runner.user)
        wait_for(lambda: runner.lab.target(4) in _screen(session), "the hop table is on screen")
        subprocess.run(["tmux", "send-keys", "-t", session, "s"], check=True)
        # The Markdown and the SVG are each renamed into place when whole: wait for both, not for the first.
        files = wait_for(lambda: _finished_shots(shots), "a screenshot (SVG and Markdown) was written", 600)
        for path in files:
            assert (path.stat().st_uid, path.stat().st_gid) == (runner.user.pw_uid, runner.user.pw_gid), path
        assert {path.suffix for path in files} == {".svg", ".md"}
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def _screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True,
                          check=False).stdout


def _python_in(lab: Lab, marker: str) -> int | None:
    """The pid of this test's tuitrace in src: the one whose command line holds ``marker`` (a tuitrace of
    an earlier test may still be on its way out, and it never had privileges to drop)."""
    pids = subprocess.run(["ip", "netns", "pids", lab.ns("src")], capture_output=True, text=True,
                          check=False).stdout.split()
    for pid in pids:
        with contextlib.suppress(OSError):
            if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                return int(pid)
    return None


def test_file_capabilities_are_dropped_once_the_raw_sockets_are_open(runner: Runner, user_dir: Path) -> None:
    if shutil.which("setcap") is None:
        pytest.skip("setcap is not installed")
    binary = user_dir / "python-with-cap-net-raw"
    shutil.copy2(Path(runner.interpreter[0]).resolve(), binary)
    subprocess.run(["setcap", "cap_net_raw+ep", str(binary)], check=True)
    options = ["--report", "--json", "-n", "-c", "60", "-i", "0.05"]
    argv = runner.as_user([str(binary), "-m", "tuitrace", *options, runner.lab.target(6)])
    proc = runner.lab.popen("src", argv, env=runner.env, cwd=REPO)
    assert_dropped_to(proc.pid, runner.user)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    report = json.loads(stdout)
    assert (report["mode"], report["reached"]) == ("raw", True)


# -- --flows as an ordinary user -----------------------------------------------------------------------
@pytest.mark.parametrize("family", FAMILIES)
def test_udp_flows_map_both_branches_without_privileges(runner: Runner, family: Family) -> None:
    """UDP varies its destination port, which an ordinary socket may choose: 8 flows find both branches
    (all 8 on one branch has probability 1/128, so such a run is repeated once: 1/16384)."""
    args = ["-U", "--flows", "8"]
    report = runner.report(family, args, unprivileged=True, count=3)
    if len(report["paths"]) == 1:
        report = runner.report(family, args, unprivileged=True, count=3)
    stage = {path["hops"][topology.ECMP_TTL - 1]["address"] for path in report["paths"]}
    assert stage == runner.lab.expected_hops(family)[topology.ECMP_TTL - 1]
    for flow in report["flows"]:
        assert flow["reached"] and flow["loss_pct"] == 0.0, flow


@pytest.mark.parametrize("family", FAMILIES)
def test_icmp_flows_work_and_tcp_flows_are_refused_without_privileges(runner: Runner, family: Family) -> None:
    """A ping socket keeps the kernel's echo identifier, but our payload still steers the checksum; TCP
    cannot keep a source port per flow without raw sockets: one line, exit 2."""
    report = runner.report(family, ["-I", "--flows", "4"], unprivileged=True, count=3)
    assert [flow["flow"] for flow in report["flows"]] == [1, 2, 3, 4]
    assert all(flow["reached"] for flow in report["flows"])
    done = runner.tuitrace(family, ["-T", "--flows", "4"], unprivileged=True, count=1)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "--flows with TCP needs raw sockets" in done.stderr
